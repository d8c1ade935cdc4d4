/**
 * One active notifier per agency: two notifier instances (separate connections, as two processes) against the
 * same NATS. Each agency's lease is held by one of them; every event is delivered once and in stream order; when
 * the active one stops, the standby takes over at once (lease released), and when it dies without a word, the
 * standby takes over once the lease lapses, losing nothing.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../../src/domain/agencies';
import type { AgencyMessage } from '../../src/domain/envelope';
import { ensureNotifierBuckets, openNotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
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
const LEASE_TTL_MS = 3_000;
const AGENCIES_UNDER_TEST: Agency[] = ['POLICE', 'JUDICIARY'];
const SECRETS = { POLICE: testWebhookSecret('police'), JUDICIARY: testWebhookSecret('judiciary') };
const logger = silentLogger();

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let receiver: WebhookReceiver;
let seq = 0;

interface Instance {
  notifier: Notifier;
  conn: NatsConnection;
}

async function startInstance(name: string): Promise<Instance> {
  const conn = await connectNats({ NATS_URL: [server.url] }, { name, logger });
  const notifier = new Notifier({
    nc: conn,
    stream: STREAM,
    agencies: AGENCIES_UNDER_TEST,
    cleared: false,
    buckets: await openNotifierBuckets(conn),
    channels: [new WebhookChannel({ targets: webhookTargets(receiver, SECRETS), logger })],
    logger,
    holder: name,
  });
  await notifier.start();
  return { notifier, conn };
}

/** Publishes `n` events for POLICE and JUDICIARY each; returns their ids in publish order. */
async function publishEvents(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    seq += 1;
    const messages: AgencyMessage[] = eventMessages(
      seq,
      'warrant-approved',
      { warrantRef: `W-${seq}` },
      {
        to: AGENCIES_UNDER_TEST,
      },
    );
    await publishAgencyMessages(js, messages, { streamName: STREAM, timeoutMs: 5_000 });
    ids.push(messages[0]?.event.id ?? '');
  }
  return ids;
}

/** What one agency's endpoint accepted of these events: how many unique, how many in all, and in which order. */
function tally(agency: Agency, ids: readonly string[]): { unique: number; total: number; order: number[] } {
  const accepted = receiver.accepted().filter((r) => r.agency === agency && ids.includes(r.eventId ?? ''));
  const order: number[] = [];
  for (const r of accepted) {
    const i = ids.indexOf(r.eventId ?? '');
    if (!order.includes(i)) order.push(i);
  }
  return { unique: order.length, total: accepted.length, order };
}

const inOrder = (order: number[]) => order.every((v, i) => i === 0 || v > (order[i - 1] ?? -1));

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ NATS_URL: [server.url] }, { name: 'lease-test', logger });
  js = jetstream(nc);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, nc, {
    ackWaitMs: 2_000,
  });
  await ensureNotifierBuckets(nc, { leaseTtlMs: LEASE_TTL_MS });
  receiver = await startWebhookReceiver(SECRETS);
});

afterAll(async () => {
  await receiver?.close();
  await nc?.close();
  await server?.stop({ removeData: true });
});

describe('two notifiers, one active per agency', () => {
  let a: Instance;
  let b: Instance;

  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.notifier.stop().catch(() => undefined);
      await i?.conn.close().catch(() => undefined);
    }
  });

  it('splits nothing: each agency has exactly one active notifier, and each event is delivered once, in order', async () => {
    a = await startInstance('notifier-a');
    b = await startInstance('notifier-b');
    await eventually('every agency leased', () => a.notifier.active.length + b.notifier.active.length === 2);
    const active = [...a.notifier.active, ...b.notifier.active];
    expect(active.sort()).toEqual([...AGENCIES_UNDER_TEST].sort());

    const ids = await publishEvents(30);
    for (const agency of AGENCIES_UNDER_TEST) {
      await eventually(`${agency} all delivered`, () => tally(agency, ids).unique === 30);
    }
    await new Promise((r) => setTimeout(r, 300)); // room for a stray duplicate to show up
    for (const agency of AGENCIES_UNDER_TEST) {
      const t = tally(agency, ids);
      expect(t.total).toBe(30);
      expect(inOrder(t.order)).toBe(true);
    }
    expect(a.notifier.counters.delivered + b.notifier.counters.delivered).toBe(60);
  });

  it('hands an agency to the standby at once when the active notifier stops, mid-burst, in order', async () => {
    const [active, standby] = a.notifier.active.includes('POLICE') ? [a, b] : [b, a];
    const base = active.notifier.counters.delivered;
    const standbyBase = standby.notifier.counters.delivered;
    const published = publishEvents(40);
    await eventually('some deliveries', () => active.notifier.counters.delivered > base);
    const stoppedAt = Date.now();
    await active.notifier.stop();
    await active.conn.drain();
    await eventually('the standby active for both', () => standby.notifier.active.length === 2, 5_000);
    // Released, not lapsed: well within the TTL.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS);
    const ids = await published;
    for (const agency of AGENCIES_UNDER_TEST) {
      await eventually(`${agency} all delivered`, () => tally(agency, ids).unique === 40);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const agency of AGENCIES_UNDER_TEST) {
      const t = tally(agency, ids);
      expect(t.total).toBe(40);
      expect(inOrder(t.order)).toBe(true);
    }
    // The burst was really split between them.
    expect(active.notifier.counters.delivered).toBeGreaterThan(base);
    expect(standby.notifier.counters.delivered).toBeGreaterThan(standbyBase);
    if (active === a) a = await startInstance('notifier-a2');
    else b = await startInstance('notifier-b2');
  });

  it('takes over once the lease lapses when the active notifier dies without a word, losing nothing', async () => {
    // Whoever is active for both now; the restarted one stands by.
    const [active, standby] = a.notifier.active.length === 2 ? [a, b] : [b, a];
    expect(standby.notifier.active).toEqual([]);
    const published = publishEvents(40);
    await eventually('some deliveries', () => active.notifier.counters.delivered > 0);
    const diedAt = Date.now();
    await active.conn.close(); // no stop, no release: a crash
    await active.notifier.stop();
    await eventually('the standby active for both', () => standby.notifier.active.length === 2, LEASE_TTL_MS * 3);
    // Not before the lease lapsed: it was renewed at most a third of a TTL before the crash.
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(LEASE_TTL_MS / 2);
    const ids = await published;
    for (const agency of AGENCIES_UNDER_TEST) {
      await eventually(`${agency} all delivered`, () => tally(agency, ids).unique === 40, 30_000);
      const t = tally(agency, ids);
      // Only the event in hand at the crash can have reached the endpoint twice.
      expect(t.total - t.unique).toBeLessThanOrEqual(1);
      expect(inOrder(t.order)).toBe(true);
    }
  });
});
