/**
 * The notifier on a real nats-server, with agency webhooks served by a local HTTP receiver: Standard Webhooks
 * delivery, the task inbox (CLEARED tasks included), consumer-side dedupe, in-order retry of a failing webhook,
 * dead letters at the retry horizon, and their replay.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../../src/domain/agencies';
import type { AgencyMessage } from '../../src/domain/envelope';
import { ensureNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import { LogChannel } from '../../src/notifier/channels';
import { listDeadLetters, replayDeadLetters } from '../../src/notifier/dead-letters';
import { inboxKey, listInbox, type InboxEntry } from '../../src/notifier/inbox';
import { Notifier } from '../../src/notifier/notifier';
import { WebhookChannel } from '../../src/notifier/webhook';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import {
  eventMessages,
  eventually,
  humanTask,
  only,
  restrictedTaskMessages,
  silentLogger,
  startWebhookReceiver,
  taskMessages,
  testWebhookSecret,
  webhookTargets,
  type WebhookReceiver,
} from './notifier-fixtures';

const STREAM = 'CASES';
const AGENCIES_UNDER_TEST: Agency[] = ['PROSECUTION', 'POLICE', 'JUDICIARY', 'OVERSIGHT'];
const SECRETS: Partial<Record<Agency, string>> = {
  PROSECUTION: testWebhookSecret('prosecution'),
  POLICE: testWebhookSecret('police'),
  JUDICIARY: testWebhookSecret('judiciary'),
  OVERSIGHT: testWebhookSecret('oversight'),
};
/** Short, so that an event whose webhook keeps failing becomes a dead letter within the test. */
const RETRY_HORIZON_MS = 3_000;

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let buckets: NotifierBuckets;
let receiver: WebhookReceiver;
let notifier: Notifier;
/** OVERSIGHT's endpoint is down until a test brings it back. */
let oversightDown = true;
/** Event ids whose first webhook requests fail (500) before succeeding: how many fail. */
const flaky = new Map<string, number>();

const publish = (messages: AgencyMessage[]) =>
  publishAgencyMessages(js, messages, { streamName: STREAM, timeoutMs: 5_000 });

async function inboxEntry(agency: Agency, taskIdValue: string): Promise<InboxEntry | undefined> {
  const entry = await buckets.inbox.get(inboxKey(agency, taskIdValue));
  return entry?.operation === 'PUT' ? entry.json<InboxEntry>() : undefined;
}

beforeAll(async () => {
  server = await startNatsServer();
  const logger = silentLogger();
  nc = await connectNats({ NATS_URL: [server.url] }, { name: 'notifier-delivery-test', logger });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, nc, {
    ackWaitMs: 5_000,
  });
  buckets = await ensureNotifierBuckets(nc, { leaseTtlMs: 3_000 });
  receiver = await startWebhookReceiver(SECRETS, ({ agency, eventId, attempt }) => {
    if (agency === 'OVERSIGHT' && oversightDown) return 503;
    if (eventId && attempt <= (flaky.get(`${agency}/${eventId}`) ?? 0)) return 500;
    return 204;
  });
  notifier = new Notifier({
    nc,
    stream: STREAM,
    agencies: AGENCIES_UNDER_TEST,
    buckets,
    channels: [
      new LogChannel(logger),
      new WebhookChannel({ targets: webhookTargets(receiver, SECRETS), attempts: 2, baseDelayMs: 10, logger }),
    ],
    logger,
    retryBaseMs: 100,
    retryMaxMs: 400,
    retryHorizonMs: RETRY_HORIZON_MS,
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
  it('delivers each agency its own events on its webhook, signed per Standard Webhooks, with the event id', async () => {
    const messages = eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' });
    await publish(messages);
    const got = await eventually('three webhook deliveries', () => {
      const r = receiver.accepted().filter((x) => x.eventId === messages[0]?.event.id);
      return r.length === 3 && r;
    });
    expect(got.map((r) => r.agency).sort()).toEqual(['JUDICIARY', 'POLICE', 'PROSECUTION']);
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
    expect(open[0]?.clearedStaff).toBeUndefined();
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

  it("puts a restricted agency's CLEARED tasks in its inbox for its cleared staff, and on no webhook", async () => {
    const task = humanTask(2, { assignee: 'JUDICIARY', escalateTo: ['PROSECUTION'], escalated: true });
    // One event, two restricted receivers: two CLEARED copies with the same event id, both must land.
    const messages = restrictedTaskMessages(13, 'task-escalated', task, {
      JUDICIARY: ['judge-7'],
      PROSECUTION: ['fiscal-2', 'fiscal-3'],
    });
    expect(messages.map((m) => m.subject)).toEqual([
      'cases.CLEARED.task-escalated',
      'cases.CLEARED.task-escalated',
      'cases.AUDIT.task-escalated',
    ]);
    await publish(messages);
    const eventId = messages[0]?.event.id;
    const judiciary = await eventually('the JUDICIARY entry', () => inboxEntry('JUDICIARY', task.id));
    const prosecution = await eventually('the PROSECUTION entry', () => inboxEntry('PROSECUTION', task.id));
    expect(judiciary.clearedStaff).toEqual(['judge-7']);
    expect(prosecution.clearedStaff).toEqual(['fiscal-2', 'fiscal-3']);
    const now = Date.parse('2026-03-01T09:00:00.000Z');
    expect(await listInbox(buckets.inbox, { agency: 'JUDICIARY', now, viewer: 'judge-7' })).toHaveLength(1);
    expect(await listInbox(buckets.inbox, { agency: 'JUDICIARY', now, viewer: 'judge-8' })).toEqual([]);
    // The restricted agencies' own endpoints hear nothing of it.
    expect(receiver.requests.filter((r) => r.eventId === eventId)).toEqual([]);
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

  it('retries a failing webhook in place until it accepts, and no later event of the agency overtakes it', async () => {
    const events = [30, 31, 32, 33].map((seq) =>
      only(eventMessages(seq, 'warrant-approved', { warrantRef: `W-${seq}` }), 'POLICE'),
    );
    const failing = events[1]?.event.id as string;
    flaky.set(`POLICE/${failing}`, 5);
    const retried = notifier.counters.retried;
    await publish(events);
    const ids = events.map((m) => m.event.id);
    await eventually(
      'all four delivered',
      () => receiver.accepted().filter((r) => ids.includes(r.eventId ?? '')).length === 4,
    );
    // Every request for these events, in the order the receiver saw them.
    const seen = receiver.requests.filter((r) => r.agency === 'POLICE' && ids.includes(r.eventId ?? ''));
    expect(seen.map((r) => [ids.indexOf(r.eventId ?? ''), r.status])).toEqual([
      [0, 204],
      [1, 500],
      [1, 500],
      [1, 500],
      [1, 500],
      [1, 500],
      [1, 204],
      [2, 204],
      [3, 204],
    ]);
    expect(notifier.counters.retried).toBeGreaterThanOrEqual(retried + 2);
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
    // Replaying them would fail the same way: replay leaves them alone.
    const replayed = await replayDeadLetters(nc, buckets.deadLetters, { agency: 'POLICE' });
    expect(replayed.map((r) => r.outcome)).toEqual(['not-replayable', 'not-replayable', 'not-replayable']);
  });

  it('dead-letters an event whose webhook keeps failing once the retry horizon has passed', async () => {
    const messages = eventMessages(50, 'verdict-recorded', { convicted: ['S-1'], acquitted: [] });
    const oversight = only(messages, 'OVERSIGHT');
    const publishedAt = Date.now();
    await publish(messages);
    const letter = await eventually('an exhausted dead letter', async () =>
      (await listDeadLetters(buckets.deadLetters, { agency: 'OVERSIGHT' })).find(
        (d) => d.eventId === oversight.event.id,
      ),
    );
    expect(letter).toMatchObject({ reason: 'delivery-exhausted', deliveryCount: 1, stream: STREAM });
    expect(letter.detail).toMatch(/HTTP 503/);
    // Retried for the whole horizon (not a count of deliveries), backing off up to retryMaxMs.
    expect(Date.parse(letter.at) - publishedAt).toBeGreaterThanOrEqual(RETRY_HORIZON_MS - 100);
    const tries = receiver.requests.filter((r) => r.agency === 'OVERSIGHT' && r.eventId === oversight.event.id);
    expect(tries.length).toBeGreaterThanOrEqual(2 * 6);
    const info = await jsm.consumers.info(STREAM, 'agency-OVERSIGHT');
    expect(info.num_ack_pending).toBe(0);
  });

  it('replays dead letters: same event id, idempotent, delivered once when the endpoint is back, record removed', async () => {
    const letters = await listDeadLetters(buckets.deadLetters, { agency: 'OVERSIGHT' });
    expect(letters).toHaveLength(1);
    const eventId = letters[0]?.eventId as string;
    // Still down: the replay is retried like any event, and its record stays (marked) meanwhile.
    const replayed = await replayDeadLetters(nc, buckets.deadLetters, { agency: 'OVERSIGHT' });
    expect(replayed).toMatchObject([{ agency: 'OVERSIGHT', eventId, outcome: 'republished' }]);
    expect(replayed[0]?.duplicate).toBeUndefined();
    // Running it again stores nothing new (the replay's Nats-Msg-Id is fixed per record).
    const again = await replayDeadLetters(nc, buckets.deadLetters, { agency: 'OVERSIGHT' });
    expect(again).toMatchObject([{ outcome: 'republished', duplicate: true, replaySeq: replayed[0]?.replaySeq }]);
    expect((await listDeadLetters(buckets.deadLetters, { agency: 'OVERSIGHT' }))[0]).toMatchObject({ replays: 1 });

    oversightDown = false;
    await eventually('the replay delivered', () => receiver.accepted().some((r) => r.eventId === eventId));
    await eventually(
      'the record removed',
      async () => (await listDeadLetters(buckets.deadLetters, { agency: 'OVERSIGHT' })).length === 0,
    );
    expect(notifier.counters.replaysDelivered).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // room for a second delivery to show up
    expect(receiver.accepted().filter((r) => r.agency === 'OVERSIGHT' && r.eventId === eventId)).toHaveLength(1);
    // Nothing left to replay.
    expect(await replayDeadLetters(nc, buckets.deadLetters, { agency: 'OVERSIGHT' })).toEqual([]);
  });

  it('keeps consuming across a nats-server restart (reconnect forever, durable position, lease held or re-taken)', async () => {
    await server.restart();
    const messages = eventMessages(60, 'warrant-approved', { warrantRef: 'W-6' });
    // The publisher reconnects too; retry as the activity would until the stream acknowledges.
    await eventually('published after restart', () => publish(messages).then(() => true), 20_000, 250);
    await eventually(
      'delivery after restart',
      () => receiver.accepted().filter((r) => r.eventId === messages[0]?.event.id).length === 3,
      30_000,
    );
  });
});
