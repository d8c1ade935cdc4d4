/**
 * The notifier on a real nats-server, with agency webhooks served by a local HTTP receiver: signed
 * delivery, the task inbox, consumer-side dedupe, retry after a failing webhook, and dead letters.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../../src/domain/agencies';
import { ensureNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import { LogChannel } from '../../src/notifier/channels';
import { listDeadLetters } from '../../src/notifier/dead-letters';
import { listInbox } from '../../src/notifier/inbox';
import { Notifier } from '../../src/notifier/notifier';
import { WebhookChannel } from '../../src/notifier/webhook';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import {
  eventMessages,
  eventually,
  humanTask,
  only,
  silentLogger,
  startWebhookReceiver,
  taskMessages,
  type WebhookReceiver,
} from './notifier-fixtures';

const STREAM = 'CASES';
const AGENCIES_UNDER_TEST: Agency[] = ['PROSECUTION', 'POLICE', 'JUDICIARY', 'OVERSIGHT'];
const SECRETS: Partial<Record<Agency, string>> = {
  POLICE: 'police-secret-0123456789',
  JUDICIARY: 'judiciary-secret-0123456789',
  OVERSIGHT: 'oversight-secret-0123456789',
};
/** OVERSIGHT's endpoint is down for good: its events must end up dead-lettered. */
const MAX_DELIVER = 3;

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let buckets: NotifierBuckets;
let receiver: WebhookReceiver;
let notifier: Notifier;
/** Event ids whose first webhook attempts fail (500) before succeeding. */
const flaky = new Set<string>();

const publish = (messages: Parameters<typeof publishAgencyMessages>[1]) =>
  publishAgencyMessages(js, messages, { streamName: STREAM, timeoutMs: 5_000 });

beforeAll(async () => {
  server = await startNatsServer();
  const logger = silentLogger();
  nc = await connectNats({ NATS_URL: [server.url] }, { name: 'notifier-delivery-test', logger });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, nc, {
    maxDeliver: MAX_DELIVER,
    ackWaitMs: 5_000,
  });
  buckets = await ensureNotifierBuckets(nc);
  receiver = await startWebhookReceiver(SECRETS, ({ agency, eventId, attempt }) => {
    if (agency === 'OVERSIGHT') return 503;
    if (eventId && flaky.has(eventId) && attempt <= 3) return 500;
    return 204;
  });
  const targets = Object.fromEntries(
    Object.entries(SECRETS).map(([agency, secret]) => [agency, { url: receiver.urlFor(agency as Agency), secret }]),
  );
  notifier = new Notifier({
    nc,
    stream: STREAM,
    agencies: AGENCIES_UNDER_TEST,
    buckets,
    channels: [new LogChannel(logger), new WebhookChannel({ targets, attempts: 2, baseDelayMs: 10, logger })],
    logger,
    retryBaseMs: 100,
    retryMaxMs: 400,
  });
  await notifier.start();
});

afterAll(async () => {
  await notifier?.stop();
  await receiver?.close();
  await nc?.close();
  await server?.stop({ removeData: true });
});

describe('notifier', () => {
  it('delivers each agency its own events on its webhook, signed, with the event id', async () => {
    const messages = eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' });
    await publish(messages);
    const got = await eventually('two webhook deliveries', () => {
      const r = receiver.accepted().filter((x) => x.eventId === messages[0]?.event.id);
      return r.length === 2 && r;
    });
    expect(got.map((r) => r.agency).sort()).toEqual(['JUDICIARY', 'POLICE']);
    for (const r of got) {
      expect(r.signatureValid).toBe(true);
      expect(JSON.parse(r.body)).toEqual(only(messages, r.agency as Agency).event);
    }
  });

  it('keeps the task inbox: created, claimed, then gone when completed', async () => {
    const task = humanTask(1, { dueAt: '2026-03-02T08:00:00.000Z' });
    const now = Date.parse('2026-03-03T00:00:00.000Z');
    await publish(taskMessages(10, 'task-created', task));
    const open = await eventually('the task in the inbox', async () => {
      const inbox = await listInbox(buckets.inbox, { agency: 'JUDICIARY', now });
      return inbox.length === 1 && inbox;
    });
    expect(open[0]).toMatchObject({ id: task.id, status: 'open', lastEvent: { type: 'task-created' } });
    expect(await listInbox(buckets.inbox, { agency: 'JUDICIARY', now, overdue: true })).toHaveLength(1);

    await publish(taskMessages(11, 'task-claimed', { ...task, status: 'claimed', staffId: 'judge-4' }));
    await eventually('the task claimed', async () => {
      const mine = await listInbox(buckets.inbox, { agency: 'JUDICIARY', now, staffId: 'judge-4' });
      return mine.length === 1 && mine[0]?.status === 'claimed';
    });

    await publish(taskMessages(12, 'task-completed', { ...task, status: 'completed', staffId: 'judge-4' }));
    await eventually('the task gone from the inbox', async () => {
      return (await listInbox(buckets.inbox, { agency: 'JUDICIARY', now })).length === 0;
    });
    // The escalation target was never told of this task: it has nothing in its inbox.
    expect(await listInbox(buckets.inbox, { agency: 'PROSECUTION', now })).toEqual([]);
  });

  it('skips an event it has already delivered, even when it arrives as a new message', async () => {
    const message = only(eventMessages(20, 'warrant-approved', { warrantRef: 'W-2' }), 'POLICE');
    await publish([message]);
    await eventually('first delivery', () => receiver.accepted().some((r) => r.eventId === message.event.id));
    const skipped = notifier.counters.duplicatesSkipped;
    // Same event without a Nats-Msg-Id: JetStream stores it again, the notifier must not deliver it again.
    await js.publish(message.subject, JSON.stringify(message.event));
    await eventually('duplicates skipped', () => notifier.counters.duplicatesSkipped >= skipped + 1);
    expect(receiver.accepted().filter((r) => r.eventId === message.event.id)).toHaveLength(1);
  });

  it('retries a failing webhook later (nak with backoff) until it accepts', async () => {
    const messages = eventMessages(30, 'warrant-approved', { warrantRef: 'W-3' });
    const police = only(messages, 'POLICE');
    flaky.add(police.event.id);
    const retried = notifier.counters.retried;
    await publish(messages);
    await eventually(
      'delivery after failures',
      () => receiver.accepted().filter((r) => r.agency === 'POLICE' && r.eventId === police.event.id).length === 1,
    );
    const attempts = receiver.requests.filter((r) => r.agency === 'POLICE' && r.eventId === police.event.id);
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 204]);
    expect(notifier.counters.retried).toBeGreaterThanOrEqual(retried + 1);
  });

  it('terminates and dead-letters unreadable and invalid messages, recording no payload', async () => {
    const before = notifier.counters.deadLettered;
    const valid = only(eventMessages(40, 'warrant-approved', { warrantRef: 'W-4' }), 'POLICE').event;
    await js.publish('cases.POLICE.warrant-approved', 'this is not json {');
    await js.publish('cases.POLICE.warrant-approved', JSON.stringify({ ...valid, victimName: 'Maria' }));
    await js.publish('cases.POLICE.task-created', JSON.stringify(valid)); // subject says task, type says warrant

    const letters = await eventually('three dead letters', async () => {
      const all = await listDeadLetters(buckets.deadLetters, { agency: 'POLICE' });
      return all.length >= 3 && all;
    });
    expect(letters.map((d) => d.reason)).toEqual(['unparsable', 'schema-invalid', 'subject-mismatch']);
    expect(letters[0]?.eventId).toBeUndefined();
    expect(letters[1]?.eventId).toBe(valid.id);
    expect(JSON.stringify(letters)).not.toMatch(/Maria|victimName|W-4/);
    expect(notifier.counters.deadLettered).toBe(before + 3);
    // Terminated, not pending: the server will not redeliver them.
    const info = await jsm.consumers.info(STREAM, 'agency-POLICE');
    expect(info.num_ack_pending).toBe(0);
  });

  it('dead-letters an event whose webhook keeps failing once max_deliver is reached', async () => {
    const messages = eventMessages(50, 'verdict-recorded', { convicted: ['S-1'], acquitted: [] });
    const oversight = only(messages, 'OVERSIGHT');
    await publish(messages);
    const letter = await eventually('an exhausted dead letter', async () =>
      (await listDeadLetters(buckets.deadLetters, { agency: 'OVERSIGHT' })).find(
        (d) => d.eventId === oversight.event.id,
      ),
    );
    expect(letter).toMatchObject({ reason: 'delivery-exhausted', deliveryCount: MAX_DELIVER, stream: STREAM });
    expect(letter.detail).toMatch(/HTTP 503/);
    const tries = receiver.requests.filter((r) => r.agency === 'OVERSIGHT' && r.eventId === oversight.event.id);
    expect(tries).toHaveLength(MAX_DELIVER * 2); // 2 in-process attempts per delivery
    const info = await jsm.consumers.info(STREAM, 'agency-OVERSIGHT');
    expect(info.num_ack_pending).toBe(0);
  });

  it('keeps consuming across a nats-server restart (reconnect forever, durable position)', async () => {
    await server.restart();
    const messages = eventMessages(60, 'warrant-approved', { warrantRef: 'W-6' });
    // The publisher reconnects too; retry as the activity would until the stream acknowledges.
    await eventually('published after restart', () => publish(messages).then(() => true), 20_000, 250);
    await eventually(
      'delivery after restart',
      () => receiver.accepted().filter((r) => r.eventId === messages[0]?.event.id).length === 2,
      30_000,
    );
  });
});
