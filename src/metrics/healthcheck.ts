/**
 * Container health check (the Dockerfile's HEALTHCHECK): `node dist/src/metrics/healthcheck.js [url]`.
 *
 * The runtime image has no curl or wget, so this asks the process's own HTTP endpoint with Node. Which one:
 *   1. the url argument, else HEALTHCHECK_URL (the codec server's compose service sets tcp://127.0.0.1:8888);
 *   2. else the notifier's `/healthz` when METRICS_PORT is set;
 *   3. else the Temporal runtime's `/metrics` when TEMPORAL_METRICS_ADDRESS is set (the orchestrator);
 *   4. else there is nothing to ask: exit 0 and say so (a check that cannot be made must not restart a container).
 * Healthy means an HTTP answer below 500 within the timeout: the point is that the process still serves. A
 * `tcp://host:port` URL only opens and closes a connection, for servers that have no health route and log every
 * request (the codec server: a GET there would be logged, every 30 seconds, as a refused request).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { loadConfig, type Config } from '../config';

const TIMEOUT_MS = 3_000;

/** The URL to check, or undefined when the process exposes nothing to ask. */
export function healthUrl(
  config: Pick<Config, 'METRICS_PORT' | 'TEMPORAL_METRICS_ADDRESS'>,
  explicit: string | undefined,
): string | undefined {
  if (explicit) return explicit;
  if (config.METRICS_PORT > 0) return `http://127.0.0.1:${config.METRICS_PORT}/healthz`;
  if (config.TEMPORAL_METRICS_ADDRESS) {
    const i = config.TEMPORAL_METRICS_ADDRESS.lastIndexOf(':');
    const host = config.TEMPORAL_METRICS_ADDRESS.slice(0, i);
    const port = config.TEMPORAL_METRICS_ADDRESS.slice(i + 1);
    // A wildcard bind is reachable on loopback; a specific address only on itself.
    const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `http://${target}:${port}/metrics`;
  }
  return undefined;
}

/**
 * Resolves to the HTTP status (200 for a `tcp://` URL that accepted the connection), or rejects on a connection
 * error or timeout.
 */
export function probe(url: string, timeoutMs = TIMEOUT_MS): Promise<number> {
  if (url.startsWith('tcp://')) {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), timeout: timeoutMs }, () => {
        socket.end();
        resolve(200);
      });
      socket.on('timeout', () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      socket.on('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<number> {
  const url = healthUrl(loadConfig(), process.argv[2] ?? process.env.HEALTHCHECK_URL);
  if (!url) {
    process.stdout.write(
      'healthcheck: no endpoint configured (METRICS_PORT, TEMPORAL_METRICS_ADDRESS, HEALTHCHECK_URL)\n',
    );
    return 0;
  }
  const status = await probe(url);
  process.stdout.write(`healthcheck: ${url} answered ${status}\n`);
  return status > 0 && status < 500 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stdout.write(`healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
