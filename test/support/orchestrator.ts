/**
 * An orchestrator for integration tests: the real worker (same code as workers/orchestrator.ts) on a
 * task queue of its own, the case service (Temporal, as the gateway uses it), and JetStream helpers, all against the run's real servers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import type { CloudEvent } from '../../src/domain/envelope';
import { resolvePolicy } from '../../src/domain/policy';
import { createLogger } from '../../src/logging';
import { connectNats } from '../../src/nats/connection';
import { drainConsumer } from '../../src/nats/read';
import { connectClient } from '../../src/temporal/connection';
import { createOrchestratorWorker, WORKFLOW_BUNDLE_OPTIONS } from '../../src/temporal/worker';
import { CaseService } from '../../src/temporal/case-service';
import { auditStreamName } from '../../src/nats/subjects';

/** One key for the whole run, so every client and worker of the run can read every payload. */
export const TEST_CODEC_KEYS = process.env.CODEC_KEYS ?? `test1:${randomBytes(32).toString('base64')}`;
process.env.CODEC_KEYS = TEST_CODEC_KEYS;

let bundle: Promise<{ code: string }> | undefined;
/** Bundled once per test file (the bundler is the slow part of starting a worker). */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: {
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (m) => console.error(m),
      log: () => {},
    },
  });
  return bundle;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  if (!process.env.TEMPORAL_ADDRESS || !process.env.NATS_URL) {
    throw new Error(
      'TEMPORAL_ADDRESS/NATS_URL unset: run integration tests with `npm test` (jest project "integration")',
    );
  }
  return loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  });
}

/** Seconds-scale policy: every deadline a test wants to see fire, fires within a test's patience. */
export function fastPolicy(overrides: Record<string, unknown> = {}) {
  return resolvePolicy({
    detention: {
      limit: { trafficking: '1h', 'organized-crime': '1h', 'child-sale': '1h', 'illegal-abortion': '1h', other: '1h' },
      warnBefore: '10m',
      extension: '1h',
    },
    ...overrides,
  });
}

export interface TestOrchestrator {
  config: Config;
  cases: CaseService;
  temporal: Client;
  nc: NatsConnection;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startOrchestrator(
  opts: { config?: Config; policy?: ReturnType<typeof resolvePolicy> } = {},
): Promise<TestOrchestrator> {
  const config = opts.config ?? testConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'test-orchestrator' });
  const nc = await connectNats(config, { name: 'test-orchestrator', logger });
  const { worker, connection } = await createOrchestratorWorker({
    config,
    logger,
    nc,
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const temporal = await connectClient(config);
  const cases = new CaseService(temporal, config, opts.policy ?? resolvePolicy());
  return {
    config,
    cases,
    temporal,
    nc,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.connection.close();
      await nc.close();
    },
  };
}

/** Reads everything currently on a subject filter through a durable consumer of the test's own. */
export async function readEvents(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  opts: { durable?: string; expected?: number; timeoutMs?: number; caseId?: string } = {},
): Promise<{ events: CloudEvent[]; messages: JsMsg[]; durable: string }> {
  const jsm = await jetstreamManager(nc);
  // AUDIT copies live in a sealed stream of their own.
  if (filterSubject.startsWith('cases.AUDIT.')) stream = auditStreamName(stream);
  const durable = opts.durable ?? `test-${randomUUID().slice(0, 8)}`;
  await jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  const events: CloudEvent[] = [];
  const messages: JsMsg[] = [];
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  do {
    await drainConsumer(consumer, (m) => {
      const event = m.json<CloudEvent>();
      if (!opts.caseId || event.subject === opts.caseId) {
        events.push(event);
        messages.push(m);
      }
    });
  } while (opts.expected !== undefined && events.length < opts.expected && Date.now() < deadline);
  return { events, messages, durable };
}

export function uniqueCaseId(prefix = 'T'): string {
  return `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
