/**
 * Faults under load, each bounded in time, on servers of this file's own (so restarting them cannot
 * disturb other suites): kill -9 the worker, restart nats-server, restart the Temporal dev server
 * (persistent db). After each: every case reaches CLOSED, every event is in the audit stream exactly
 * once, and every staff notification reaches its agency's webhook, none lost, none doubled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CaseService } from '../../src/temporal/case-service';
import { auditStreamName } from '../../src/nats/subjects';
import type { Config } from '../../src/config';
import { AGENCIES } from '../../src/domain/agencies';
import { caseWorkflowId } from '../../src/domain/case-state';
import type { CloudEvent } from '../../src/domain/envelope';
import { resolvePolicy } from '../../src/domain/policy';
import { ensureNotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { drainConsumer } from '../../src/nats/read';
import { AUDIT_CONSUMER, ensureJetStream } from '../../src/nats/stream';
import { Notifier } from '../../src/notifier/notifier';
import { WebhookChannel } from '../../src/notifier/webhook';
import { connectClient } from '../../src/temporal/connection';
import {
  silentLogger,
  startWebhookReceiver,
  testWebhookSecret,
  webhookTargets,
  type WebhookReceiver,
} from './notifier-fixtures';
import { driveShortCase } from '../support/load';
import { eventually, testConfig, uniqueCaseId } from '../support/orchestrator';
import {
  startNatsServer,
  startTemporalDevServer,
  type NatsServerHandle,
  type TemporalServerHandle,
} from '../support/servers';

jest.setTimeout(600_000);

const WORKER_ENTRY = join(__dirname, '..', '..', 'dist', 'workers', 'orchestrator.js');
const CASES_PER_FAULT = 12;

describe('faults under load', () => {
  let temporal: TemporalServerHandle;
  let nats: NatsServerHandle;
  let config: Config;
  let cases: CaseService;
  let nc: NatsConnection;
  let worker: ChildProcess | undefined;
  let notifier: Notifier;
  let receiver: WebhookReceiver;
  const secret = testWebhookSecret('fault-test-webhook');

  const startWorker = async () => {
    if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run \`npm run build\` (npm test does)`);
    const child = spawn(process.execPath, [WORKER_ENTRY], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
        NATS_URL: config.NATS_URL.join(','),
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    worker = child;
    // Ready once it polls: an update to a fresh case would otherwise just wait for it.
    await new Promise((r) => setTimeout(r, 500));
    return child;
  };
  const killWorker = () =>
    new Promise<void>((resolve) => {
      if (!worker || worker.exitCode !== null) return resolve();
      worker.once('exit', () => resolve());
      worker.kill('SIGKILL');
    });

  beforeAll(async () => {
    [temporal, nats] = await Promise.all([startTemporalDevServer(), startNatsServer()]);
    config = testConfig({ TEMPORAL_ADDRESS: temporal.address, NATS_URL: nats.url });
    nc = await connectNats(config, { name: 'fault-test', logger: silentLogger(), reconnectTimeWaitMs: 250 });
    await ensureJetStream(config, nc);
    receiver = await startWebhookReceiver(Object.fromEntries(AGENCIES.map((a) => [a, secret])));
    notifier = new Notifier({
      nc,
      stream: config.NATS_STREAM,
      agencies: AGENCIES,
      buckets: await ensureNotifierBuckets(nc),
      channels: [
        new WebhookChannel({
          targets: webhookTargets(receiver, Object.fromEntries(AGENCIES.map((a) => [a, secret]))),
        }),
      ],
      logger: silentLogger(),
      retryBaseMs: 200,
      retryMaxMs: 2_000,
    });
    await notifier.start();
    cases = new CaseService(await connectClient(config), config, resolvePolicy());
    await startWorker();
  });

  afterAll(async () => {
    await killWorker();
    await notifier?.stop();
    await cases?.client.connection.close();
    await nc?.close();
    await receiver?.close();
    await Promise.all([temporal?.stop({ removeData: true }), nats?.stop({ removeData: true })]);
  });

  /** Runs the load, injects the fault once the load is under way, and checks nothing was lost. */
  async function underLoad(label: string, fault: () => Promise<void>) {
    const ids = Array.from({ length: CASES_PER_FAULT }, () => uniqueCaseId(label));
    const load = Promise.all(ids.map((id) => driveShortCase(cases, id)));
    await new Promise((r) => setTimeout(r, 1_500));
    await fault();
    await load;

    for (const id of ids) expect((await cases.status(id)).stage).toBe('CLOSED');
    // Each case workflow has finished, so its outbox was drained: every event is acknowledged by JetStream.
    for (const id of ids) await cases.client.workflow.getHandle(caseWorkflowId(id)).result();

    const emitted = new Map<string, number>();
    for (const id of ids) emitted.set(id, (await cases.status(id)).eventsEmitted);
    const audit = await readAll(nc, auditStreamName(config.NATS_STREAM), AUDIT_CONSUMER, new Set(ids));
    for (const id of ids) {
      const own = audit.filter((e) => e.subject === id && e.source.endsWith(`/${caseWorkflowId(id)}`));
      expect({ id, count: own.length, unique: new Set(own.map((e) => e.id)).size }).toEqual({
        id,
        count: emitted.get(id),
        unique: emitted.get(id),
      });
    }

    // Every agency message of these cases reaches that agency's webhook exactly once.
    const expected = new Set<string>();
    for (const agency of AGENCIES) {
      for (const e of await readAll(
        nc,
        config.NATS_STREAM,
        `agency-check-${label}-${agency}`,
        new Set(ids),
        `cases.${agency}.>`,
      )) {
        expected.add(`${agency}/${e.id}`);
      }
    }
    const delivered = await eventually(
      async () => {
        const got = receiver.accepted().filter((r) => ids.some((id) => r.eventId?.includes(id)));
        const keys = new Set(got.map((r) => `${r.agency}/${r.eventId}`));
        return [...expected].every((k) => keys.has(k)) ? got : undefined;
      },
      60_000,
      `all ${expected.size} notifications delivered`,
    );
    const keys = delivered.map((r) => `${r.agency}/${r.eventId}`);
    expect(new Set(keys).size).toBe(expected.size);
    expect(keys.length - new Set(keys).size).toBe(0);
  }

  it('survives kill -9 of the worker mid-load', async () => {
    await underLoad('KILL', async () => {
      await killWorker();
      await new Promise((r) => setTimeout(r, 1_000));
      await startWorker();
    });
  });

  it('survives a nats-server restart mid-publish', async () => {
    await underLoad('NATS', async () => {
      await nats.stop();
      await new Promise((r) => setTimeout(r, 2_000));
      await nats.restart();
    });
  });

  it('survives a Temporal dev server restart mid-load (persistent db)', async () => {
    await underLoad('TEMPORAL', async () => {
      await temporal.restart();
    });
  });
});

/** Reads every message on the stream (optionally one subject filter) for the given cases, through a
 * durable consumer (created if missing, from the start). */
async function readAll(
  nc: NatsConnection,
  stream: string,
  durable: string,
  caseIds: Set<string>,
  filter?: string,
): Promise<CloudEvent[]> {
  const js = jetstream(nc);
  if (filter) {
    const jsm = await js.jetstreamManager();
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
  }
  const consumer = await js.consumers.get(stream, durable);
  const out: CloudEvent[] = [];
  await drainConsumer(consumer, (m) => {
    const e = m.json<CloudEvent>();
    if (caseIds.has(e.subject)) out.push(e);
  });
  return out;
}
