/**
 * pino for every process. Personal fields are redacted by path wherever they appear, as a second line
 * of defence: the first is that events, errors and log calls only ever carry pseudonyms and references.
 */
import pino, { type Logger } from 'pino';

/** Field names that may hold a victim's, witness's or guardian's identity. */
export const PERSONAL_FIELDS = [
  'name',
  'fullName',
  'legalName',
  'dateOfBirth',
  'address',
  'phone',
  'email',
  'nationalId',
  'documentNumber',
  'contact',
  'notes',
] as const;

const redactPaths = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/** `toStderr` for command-line tools, whose stdout is their output. */
export function createLogger(opts: { level?: string; name?: string; toStderr?: boolean } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      // The process name goes under `service`: `name` is a personal field and is redacted everywhere.
      base: { pid: process.pid, ...(opts.name ? { service: opts.name } : {}) },
    },
    pino.destination(opts.toStderr ? 2 : 1),
  );
}

let runtimeInstalled = false;

export interface TemporalRuntimeOptions {
  /**
   * host:port for the runtime's Prometheus exporter (worker and client metrics at `/metrics`), e.g.
   * TEMPORAL_METRICS_ADDRESS=0.0.0.0:9464. Unset: no metrics exporter.
   */
  metricsBindAddress?: string;
}

/**
 * Forwards the Temporal Core runtime's logs into pino, and optionally serves its metrics. Runtime.install may
 * run once per process and must run before any connection is made, so every entry point calls this first.
 */
export async function installTemporalRuntime(logger: Logger, opts: TemporalRuntimeOptions = {}): Promise<void> {
  if (runtimeInstalled) return;
  const { Runtime, DefaultLogger } = await import('@temporalio/worker');
  const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  const child = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(logger.isLevelEnabled('debug') ? 'DEBUG' : 'INFO', (entry) => {
      child[levels[entry.level]]({ ...(entry.meta ?? {}) }, entry.message);
    }),
    ...(opts.metricsBindAddress
      ? {
          telemetryOptions: {
            // Core's exporter, with the SDK's default names (temporal_*), as Temporal's SDK dashboards expect.
            metrics: { prometheus: { bindAddress: opts.metricsBindAddress } },
          },
        }
      : {}),
  });
  runtimeInstalled = true;
  if (opts.metricsBindAddress) {
    logger.info({ url: `http://${opts.metricsBindAddress}/metrics` }, 'temporal runtime metrics endpoint');
  }
}
