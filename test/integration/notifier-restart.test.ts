/**
 * Kill-and-restart: a burst of events, the notifier stopped (or its connection cut) mid-burst, a new
 * notifier started. The durable consumer keeps the position and the dedupe marks keep the count: the
 * agency's webhook receives every event, and receives it once.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureNotifierBuckets, openNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import { listDeadLetters } from '../../src/notifier/dead-letters';
import { Notifier } from '../../src/notifier/notifier';
import { WebhookChannel } from '../../src/notifier/webhook';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import {
  eventMessages,
  eventually,
  silentLogger,
  startWebhookReceiver,
  testWebhookSecret,
  webhookTargets,
  type WebhookReceiver,
} from './notifier-fixtures';

const STREAM = 'CASES';
const BURST = 200;
const SECRET = testWebhookSecret('police');
/** Short, so messages pulled by a killed notifier come back quickly. */
const ACK_WAIT_MS = 2_000;

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let buckets: NotifierBuckets;
let receiver: WebhookReceiver;
const logger = silentLogger();

async function startNotifier(name: string): Promise<{ notifier: Notifier; conn: NatsConnection }> {
  // Its own connection, as a separate process would have.
  const conn = await connectNats({ NATS_URL: [server.url] }, { name, logger });
  const notifier = new Notifier({
    nc: conn,
    stream: STREAM,
    agencies: ['POLICE'],
    buckets: await openNotifierBuckets(conn),
    channels: [new WebhookChannel({ targets: webhookTargets(receiver, { POLICE: SECRET }), logger })],
    logger,
    retryBaseMs: 100,
  });
  await notifier.start();
  return { notifier, conn };
}

/** Publishes BURST events to POLICE, one at a time with small pauses, so a stop lands mid-burst. */
async function burst(workflowId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let seq = 1; seq <= BURST; seq++) {
    const messages = eventMessages(seq, 'warrant-approved', { warrantRef: `W-${seq}` }, { to: ['POLICE'], workflowId });
    await publishAgencyMessages(js, messages, { streamName: STREAM, timeoutMs: 5_000 });
    ids.add(messages[0]?.event.id ?? '');
    if (seq % 10 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return ids;
}

function tally(ids: Set<string>): { unique: number; total: number } {
  const accepted = receiver.accepted().filter((r) => r.eventId && ids.has(r.eventId));
  return { unique: new Set(accepted.map((r) => r.eventId)).size, total: accepted.length };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ NATS_URL: [server.url] }, { name: 'restart-test', logger });
  js = jetstream(nc);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, nc, {
    ackWaitMs: ACK_WAIT_MS,
  });
  buckets = await ensureNotifierBuckets(nc, { leaseTtlMs: 3_000 });
  receiver = await startWebhookReceiver({ POLICE: SECRET });
});

afterAll(async () => {
  await receiver?.close();
  await nc?.close();
  await server?.stop({ removeData: true });
});

describe('notifier restart', () => {
  it('stopped mid-burst and replaced: every event delivered exactly once', async () => {
    const first = await startNotifier('notifier-1');
    const expected = burst('case-PE-LIM-2026-0001');
    const ids = new Set<string>();
    for (let seq = 1; seq <= BURST; seq++) ids.add(`case-PE-LIM-2026-0001.${seq}`);
    await eventually('some deliveries', () => tally(ids).unique >= 40);
    await first.notifier.stop();
    await first.conn.drain();
    const byFirst = first.notifier.counters.delivered;

    const second = await startNotifier('notifier-2');
    expect(await expected).toEqual(ids);
    await eventually('all deliveries', () => tally(ids).unique === BURST, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // room for a stray duplicate to show up
    await second.notifier.stop();
    await second.conn.drain();

    const { unique, total } = tally(ids);
    process.stdout.write(
      `[restart] graceful: first delivered ${byFirst}, second ${second.notifier.counters.delivered}, ` +
        `receiver ${unique} unique / ${total} total\n`,
    );
    expect(byFirst).toBeGreaterThan(0);
    expect(byFirst).toBeLessThan(BURST);
    expect(byFirst + second.notifier.counters.delivered).toBe(BURST);
    expect(total).toBe(BURST);
  });

  it('connection cut mid-burst (a crash): nothing lost, at most the event in hand repeated', async () => {
    const workflowId = 'case-PE-LIM-2026-0002';
    const ids = new Set<string>();
    for (let seq = 1; seq <= BURST; seq++) ids.add(`${workflowId}.${seq}`);
    const crashed = await startNotifier('notifier-crash');
    const published = burst(workflowId);
    await eventually('some deliveries', () => tally(ids).unique >= 40);
    await crashed.conn.close(); // no drain, no stop: acks in flight are lost
    await crashed.notifier.stop();

    const started = Date.now();
    const next = await startNotifier('notifier-after-crash');
    await published;
    await eventually('all deliveries', () => tally(ids).unique === BURST, 30_000);
    const recoveredMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    await next.notifier.stop();
    await next.conn.drain();

    const { unique, total } = tally(ids);
    process.stdout.write(
      `[restart] crash: first delivered ${crashed.notifier.counters.delivered}, after crash ` +
        `${next.notifier.counters.delivered} (+${next.notifier.counters.duplicatesSkipped} skipped as seen), ` +
        `receiver ${unique} unique / ${total} total, all in ${recoveredMs} ms after restart\n`,
    );
    expect(unique).toBe(BURST);
    // Only the message being handled at the cut can have reached the webhook without being marked seen.
    expect(total - unique).toBeLessThanOrEqual(1);
    expect(await listDeadLetters(buckets.deadLetters)).toEqual([]);
  });
});
