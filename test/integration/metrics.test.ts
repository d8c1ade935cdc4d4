/**
 * Metrics against real servers:
 * - the Notifier reports delivered, retried, dead-lettered and duplicate events, with delivery latency, to its
 *   prom-client registry, and the /metrics endpoint serves them (in-process, on a nats-server of its own);
 * - the compiled processes wire them up: `node dist/workers/notifier.js` with METRICS_PORT serves its series, and
 *   `node dist/workers/orchestrator.js` with TEMPORAL_METRICS_ADDRESS serves the Temporal runtime's (worker) metrics.
 * The process tests run dist/ (npm test builds first) and refuse to run a build older than its sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createNotifierMetrics } from '../../src/metrics/notifier-metrics';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server';
import { ensureNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import type { Delivery, NotificationChannel } from '../../src/notifier/channels';
import { replayDeadLetters } from '../../src/notifier/dead-letters';
import { Notifier } from '../../src/notifier/notifier';
import { freePort, logTail, makeTempDir, removeTempDir, REPO_ROOT } from '../support/proc';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { eventMessages, eventually, only, silentLogger } from './notifier-fixtures';

const STREAM = 'CASES';

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('notifier metrics (in process)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let notifier: Notifier;
  let metricsServer: MetricsServer;
  /** Event ids whose first delivery attempt fails. */
  const failOnce = new Set<string>();
  /** Event ids whose deliveries fail until removed. */
  const failAlways = new Set<string>();
  let buckets: NotifierBuckets;

  beforeAll(async () => {
    server = await startNatsServer();
    const logger = silentLogger();
    nc = await connectNats({ NATS_URL: [server.url] }, { name: 'metrics-test', logger });
    js = jetstream(nc);
    await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, nc, {
      ackWaitMs: 5_000,
    });
    buckets = await ensureNotifierBuckets(nc, { leaseTtlMs: 3_000 });
    const flaky: NotificationChannel = {
      name: 'flaky',
      deliver: async (d: Delivery) => {
        if (failOnce.delete(d.event.id)) throw new Error('endpoint down for a moment');
        if (failAlways.has(d.event.id)) throw new Error('endpoint down for long');
      },
    };
    const registry = new Registry();
    notifier = new Notifier({
      nc,
      stream: STREAM,
      agencies: ['POLICE', 'JUDICIARY'],
      buckets,
      channels: [flaky],
      logger,
      retryBaseMs: 50,
      retryMaxMs: 200,
      retryHorizonMs: 1_500,
      metrics: createNotifierMetrics(registry),
    });
    await notifier.start();
    metricsServer = await startMetricsServer({ registry, port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await notifier?.stop();
    await metricsServer?.close();
    await nc?.close();
    await server?.stop({ removeData: true });
  });

  it('counts what the notifier does, as its counters do, and serves it on /metrics', async () => {
    const publish = (m: Parameters<typeof publishAgencyMessages>[1]) =>
      publishAgencyMessages(js, m, { streamName: STREAM, timeoutMs: 5_000 });
    // Delivered at once, ten seconds after the event time.
    const at = new Date(Date.now() - 10_000).toISOString();
    const first = only(eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' }, { at }), 'POLICE');
    await publish([first]);
    await eventually('first delivery', () => notifier.counters.delivered === 1);
    // The same event again as a new message: skipped.
    await js.publish(first.subject, JSON.stringify(first.event));
    await eventually('duplicate skipped', () => notifier.counters.duplicatesSkipped === 1);
    // Fails once, then is delivered.
    const flaky = only(
      eventMessages(2, 'warrant-approved', { warrantRef: 'W-2' }, { at: new Date().toISOString() }),
      'POLICE',
    );
    failOnce.add(flaky.event.id);
    await publish([flaky]);
    await eventually(
      'retried, then delivered',
      () => notifier.counters.retried === 1 && notifier.counters.delivered === 2,
    );
    // Not an event at all: dead-lettered.
    await js.publish('cases.JUDICIARY.warrant-approved', 'not json');
    await eventually('dead-lettered', () => notifier.counters.deadLettered === 1);
    // Undeliverable for the whole (short) horizon: dead-lettered, then replayed and delivered.
    const stuck = only(eventMessages(3, 'warrant-approved', { warrantRef: 'W-3' }), 'JUDICIARY');
    failAlways.add(stuck.event.id);
    await publish([stuck]);
    await eventually('blocked behind the failing event', async () => {
      const t = await scrape(`${metricsServer.url}/metrics`);
      return (sample(t, 'notifier_delivery_blocked_seconds{agency="JUDICIARY"}') ?? 0) > 0;
    });
    await eventually('exhausted', () => notifier.counters.deadLettered === 2, 10_000);
    failAlways.delete(stuck.event.id);
    await replayDeadLetters(nc, buckets.deadLetters, { agency: 'JUDICIARY' });
    await eventually('replay delivered', () => notifier.counters.replaysDelivered === 1);

    const text = await scrape(`${metricsServer.url}/metrics`);
    expect(sample(text, 'notifier_delivered_total{agency="POLICE",event_type="warrant-approved"}')).toBe(2);
    expect(sample(text, 'notifier_retried_total{agency="POLICE",event_type="warrant-approved"}')).toBe(1);
    expect(sample(text, 'notifier_duplicates_skipped_total{agency="POLICE"}')).toBe(1);
    expect(sample(text, 'notifier_dead_lettered_total{agency="JUDICIARY",reason="unparsable"}')).toBe(1);
    expect(sample(text, 'notifier_dead_lettered_total{agency="JUDICIARY",reason="delivery-exhausted"}')).toBe(1);
    expect(sample(text, 'notifier_dead_letter_replays_delivered_total{agency="JUDICIARY"}')).toBe(1);
    expect(sample(text, 'notifier_retried_total{agency="JUDICIARY",event_type="warrant-approved"}')).toBeGreaterThan(1);
    // Flowing again, and this notifier is the active one for both agencies (and CLEARED).
    expect(sample(text, 'notifier_delivery_blocked_seconds{agency="JUDICIARY"}')).toBe(0);
    expect(sample(text, 'notifier_lease_held{agency="POLICE"}')).toBe(1);
    expect(sample(text, 'notifier_lease_changes_total{agency="JUDICIARY",change="acquired"}')).toBe(1);
    expect(sample(text, 'notifier_delivery_latency_seconds_count{agency="POLICE"}')).toBe(2);
    // The first event was ten seconds old when delivered, the second a retry (50 ms backoff) younger than 5 s.
    expect(sample(text, 'notifier_delivery_latency_seconds_bucket{le="5",agency="POLICE"}')).toBe(1);
    expect(sample(text, 'notifier_delivery_latency_seconds_bucket{le="30",agency="POLICE"}')).toBe(2);
    expect(sample(text, 'notifier_delivery_latency_seconds_sum{agency="POLICE"}')).toBeGreaterThanOrEqual(10);
  });
});

describe('metrics of the compiled processes', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  /** Starts `node dist/<script>` with env, output to a log file; stopped (SIGTERM) in afterAll. */
  function startProcess(script: string, env: Record<string, string>): { child: ChildProcess; log: string } {
    const built = join(REPO_ROOT, 'dist', script);
    const sources = [script.replace(/\.js$/, '.ts'), 'src/metrics/server.ts', 'src/logging.ts'];
    for (const source of sources) {
      if (statSync(join(REPO_ROOT, source)).mtimeMs > statSync(built).mtimeMs) {
        throw new Error(`dist/${script} is older than ${source}: run \`npm run build\` first`);
      }
    }
    const log = join(dir, `${script.replace(/\W+/g, '-')}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [built], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    children.push(child);
    return { child, log };
  }

  function exited(child: ChildProcess): Promise<number | null> {
    return child.exitCode !== null
      ? Promise.resolve(child.exitCode)
      : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  let server: NatsServerHandle;
  beforeAll(async () => {
    dir = makeTempDir('case-metrics-');
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.stop({ removeData: true });
    removeTempDir(dir);
  });

  it('notifier: METRICS_PORT serves /healthz and its series', async () => {
    const port = await freePort();
    const { child, log } = startProcess('workers/notifier.js', {
      NATS_URL: server.url,
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      NOTIFIER_AGENCIES: 'POLICE',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await eventually('the notifier consuming', async () => (await fetch(`${base}/healthz`)).ok, 30_000, 200);
      const nc = await connectNats(
        { NATS_URL: [server.url] },
        { name: 'metrics-test-publisher', logger: silentLogger() },
      );
      try {
        // The notifier provisions the stream and consumers itself; publish once they exist.
        const message = only(eventMessages(7, 'warrant-approved', { warrantRef: 'W-7' }), 'POLICE');
        await eventually(
          'a publish the stream accepts',
          async () =>
            (await publishAgencyMessages(jetstream(nc), [message], { streamName: STREAM, timeoutMs: 2_000 })).length ===
            1,
          30_000,
          200,
        );
      } finally {
        await nc.close();
      }
      const text = await eventually(
        'the delivery counted',
        async () => {
          const t = await scrape(`${base}/metrics`);
          return (
            sample(t, 'notifier_delivered_total{agency="POLICE",event_type="warrant-approved",service="notifier"}') ===
              1 && t
          );
        },
        30_000,
        200,
      );
      expect(text).toMatch(/^process_resident_memory_bytes\{service="notifier"\} \d+/m);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } catch (err) {
      throw new Error(`${String(err)}\n--- notifier log ---\n${logTail(log, 30)}`);
    }
  });

  it('orchestrator: TEMPORAL_METRICS_ADDRESS serves the Temporal runtime metrics', async () => {
    if (!process.env.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS unset: run with the integration project');
    const port = await freePort();
    const { child, log } = startProcess('workers/orchestrator.js', {
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      // A task queue of its own: this worker must not take other tests' tasks.
      TEMPORAL_TASK_QUEUE: `metrics-${randomUUID()}`,
      NATS_URL: server.url,
      CODEC_KEYS: `m1:${randomBytes(32).toString('base64')}`,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${port}`,
    });
    try {
      // Worker metrics appear once the worker polls (after it has bundled the workflows).
      const text = await eventually(
        'worker metrics',
        async () => {
          const t = await scrape(`http://127.0.0.1:${port}/metrics`);
          return /^temporal_worker_start\{/m.test(t) && /^temporal_num_pollers\{/m.test(t) && t;
        },
        90_000,
        500,
      );
      expect(text).toMatch(/^temporal_request\{/m);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } catch (err) {
      throw new Error(`${String(err)}\n--- orchestrator log ---\n${logTail(log, 30)}`);
    }
  });
});
