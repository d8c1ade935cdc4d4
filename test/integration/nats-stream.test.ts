/**
 * The event log on a real nats-server: idempotent set-up of the event stream and the sealed audit stream (and the
 * repair of the older one-stream layout), idempotent publishing (Nats-Msg-Id), and need-to-know routing (each
 * agency's durable consumers see only its own subjects; AUDIT copies only reach the audit stream).
 */
import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { AGENCIES, type Recipient } from '../../src/domain/agencies';
import { connectNats } from '../../src/nats/connection';
import { EventPublishError, publishAgencyMessages } from '../../src/nats/publisher';
import {
  AUDIT_CONSUMER,
  agencyConsumerName,
  directConsumerName,
  ensureJetStream,
  ensureStream,
  JetStreamConfigConflictError,
} from '../../src/nats/stream';
import { auditStreamName, eventStreamSubjects } from '../../src/nats/subjects';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { eventMessages, humanTask, only, silentLogger, taskMessages } from './notifier-fixtures';

let server: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let streamNo = 0;

const config = (stream: string) => ({
  NATS_STREAM: stream,
  NATS_STREAM_MAX_AGE: '1d',
  NATS_DUPLICATE_WINDOW: '2h',
});

/** A fresh stream per test: they all bind `cases.*`, so only one pair may exist at a time. */
async function freshStream(): Promise<string> {
  const name = `CASES_T${++streamNo}`;
  await ensureJetStream(config(name), nc);
  return name;
}

/** Every message waiting for a durable consumer, acked; fetches exactly the pending count so it never waits. */
async function drainConsumer(stream: string, durable: string): Promise<string[]> {
  if (durable === AUDIT_CONSUMER) stream = auditStreamName(stream);
  const consumer = await js.consumers.get(stream, durable);
  const pending = (await consumer.info()).num_pending;
  if (pending === 0) return [];
  const subjects: string[] = [];
  for await (const m of await consumer.fetch({ max_messages: pending, expires: 5_000 })) {
    subjects.push(m.subject);
    m.ack();
  }
  return subjects;
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ NATS_URL: [server.url] }, { name: 'nats-stream-test', logger: silentLogger() });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

afterEach(async () => {
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop({ removeData: true });
});

const EXPECTED_CONSUMERS = [
  ...AGENCIES.map(agencyConsumerName),
  agencyConsumerName('CLEARED'),
  ...AGENCIES.map(directConsumerName),
];

describe('ensureJetStream', () => {
  it('creates the event stream, the sealed audit stream and every consumer, and a second run changes nothing', async () => {
    const first = await ensureJetStream(config('CASES_IDEM'), nc);
    expect(first.stream.action).toBe('created');
    expect(first.audit.action).toBe('created');
    expect(first.consumers.map((c) => c.action)).toEqual(Array(EXPECTED_CONSUMERS.length + 1).fill('created'));
    expect(first.stream.info.config).toMatchObject({
      storage: 'file',
      retention: 'limits',
      duplicate_window: 2 * 3_600 * 1e9,
    });
    // Every recipient but AUDIT, listed (so the audit stream can exist beside it), CLEARED included.
    expect(first.stream.info.config.subjects?.sort()).toEqual(
      [...AGENCIES.map((a) => `cases.${a}.>`), 'cases.CLEARED.>'].sort(),
    );
    expect(first.audit.info.config).toMatchObject({
      name: 'CASES_IDEM_AUDIT',
      subjects: ['cases.AUDIT.>'],
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
    });

    const second = await ensureJetStream(config('CASES_IDEM'), nc);
    expect([second.stream.action, second.audit.action]).toEqual(['unchanged', 'unchanged']);
    expect(second.consumers.map((c) => c.action)).toEqual(Array(EXPECTED_CONSUMERS.length + 1).fill('unchanged'));
    expect(second.migration).toEqual([]);

    const names: string[] = [];
    for await (const c of jsm.consumers.list('CASES_IDEM')) names.push(c.name);
    expect(names.sort()).toEqual([...EXPECTED_CONSUMERS].sort());
    const audit: string[] = [];
    for await (const c of jsm.consumers.list('CASES_IDEM_AUDIT')) audit.push(c.name);
    expect(audit).toEqual([AUDIT_CONSUMER]);
    // The notifier's consumers hand out one message at a time and never give up by count; agencies may pull ahead.
    expect((await jsm.consumers.info('CASES_IDEM', 'agency-POLICE')).config).toMatchObject({
      filter_subject: 'cases.POLICE.>',
      ack_policy: 'explicit',
      max_deliver: -1,
      max_ack_pending: 1,
    });
    expect((await jsm.consumers.info('CASES_IDEM', 'direct-POLICE')).config).toMatchObject({
      filter_subject: 'cases.POLICE.>',
      max_ack_pending: 1_000,
    });
  });

  it('converges when run concurrently, and updates what may change in place', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => ensureJetStream(config('CASES_RACE'), nc)));
    // Creating with an identical config is idempotent on the server, so every run may report 'created'.
    expect(runs.every((r) => r.consumers.length === EXPECTED_CONSUMERS.length + 1)).toBe(true);
    let streams = 0;
    for await (const _ of jsm.streams.list()) streams++;
    expect(streams).toBe(2);
    const widened = await ensureStream(jsm, {
      name: 'CASES_RACE',
      subjects: eventStreamSubjects(),
      maxAgeMs: 86_400_000,
      duplicateWindowMs: 3 * 3_600_000,
    });
    expect(widened.action).toBe('updated');
    expect(widened.info.config.duplicate_window).toBe(3 * 3_600 * 1e9);
    const tuned = await ensureJetStream(config('CASES_RACE'), nc, { ackWaitMs: 5_000 });
    expect(tuned.consumers.every((c) => c.action === 'updated')).toBe(true);
    expect(tuned.consumers[0]?.info.config).toMatchObject({ ack_wait: 5e9, max_deliver: -1 });
  });

  it('refuses a duplicate window longer than the max age', async () => {
    await expect(
      ensureStream(jsm, { name: 'CASES_BAD', subjects: ['x.>'], maxAgeMs: 60_000, duplicateWindowMs: 120_000 }),
    ).rejects.toThrow(/duplicate window/);
  });

  it('repairs the older one-stream layout: narrows it, removes its audit consumer, keeps its AUDIT messages', async () => {
    // What setup made before the sealed audit stream: CASES on cases.>, consumers with max_deliver 10.
    await jsm.streams.add({
      name: 'CASES_OLD',
      subjects: ['cases.>'],
      max_age: nanos(86_400_000),
      duplicate_window: nanos(7_200_000),
    });
    for (const [name, filter] of [
      ['agency-POLICE', 'cases.POLICE.>'],
      [AUDIT_CONSUMER, 'cases.AUDIT.>'],
    ]) {
      await jsm.consumers.add('CASES_OLD', {
        durable_name: name,
        filter_subject: filter,
        ack_policy: AckPolicy.Explicit,
        max_deliver: 10,
      });
    }
    await publishAgencyMessages(js, eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' }), {
      streamName: 'CASES_OLD',
      timeoutMs: 5_000,
    }).catch(() => undefined); // the AUDIT copy expects the audit stream, which does not exist yet
    await js.publish('cases.AUDIT.warrant-approved', '{}'); // as the old publisher stored it

    const repaired = await ensureJetStream(config('CASES_OLD'), nc);
    expect(repaired.stream.action).toBe('updated');
    expect(repaired.audit.action).toBe('created');
    expect(repaired.migration).toHaveLength(2);
    expect(repaired.migration[0]).toMatch(
      /CASES_OLD bound cases\.>: narrowed .* the 1 AUDIT message\(s\) it holds stay/,
    );
    expect(repaired.migration[1]).toMatch(/removed the legacy consumer CASES_OLD\/audit/);
    const info = await jsm.streams.info('CASES_OLD');
    expect(info.config.subjects).not.toContain('cases.>');
    expect(info.state.messages).toBe(4); // three agency copies and the old AUDIT copy: nothing was lost
    expect((await jsm.consumers.info('CASES_OLD', 'agency-POLICE')).config).toMatchObject({
      max_deliver: -1,
      max_ack_pending: 1,
    });
    // New AUDIT copies now go to the sealed stream.
    await publishAgencyMessages(js, eventMessages(2, 'warrant-denied', { warrantRef: 'W-2' }), {
      streamName: 'CASES_OLD',
      timeoutMs: 5_000,
    });
    expect((await jsm.streams.info('CASES_OLD_AUDIT')).state.messages).toBe(1);

    const again = await ensureJetStream(config('CASES_OLD'), nc);
    expect([again.stream.action, again.audit.action, again.migration]).toEqual(['unchanged', 'unchanged', []]);
  });

  it('names the stream in the way when another stream binds the same subjects', async () => {
    await jsm.streams.add({ name: 'SOMEONE_ELSES', subjects: ['cases.AUDIT.>'] });
    const err = await ensureJetStream(config('CASES_CLASH'), nc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamConfigConflictError);
    expect(String(err)).toMatch(/overlaps SOMEONE_ELSES \(cases\.AUDIT\.>\)/);
  });
});

describe('publishAgencyMessages', () => {
  it('stores a message once: publishing it again is a duplicate PubAck, and the agency sees one copy', async () => {
    const stream = await freshStream();
    const messages = taskMessages(1, 'task-created', humanTask(1));
    expect(messages.map((m) => m.recipient)).toEqual(['JUDICIARY', 'AUDIT']);

    const first = await publishAgencyMessages(js, messages, { streamName: stream, timeoutMs: 5_000 });
    const again = await publishAgencyMessages(js, messages, { streamName: stream, timeoutMs: 5_000 });
    expect(first.map((r) => r.duplicate)).toEqual([false, false]);
    expect(again.map((r) => r.duplicate)).toEqual([true, true]);
    expect(again.map((r) => r.seq)).toEqual(first.map((r) => r.seq));
    expect(again.map((r) => r.msgId)).toEqual([`case-PE-LIM-2026-0042.1.JUDICIARY`, `case-PE-LIM-2026-0042.1.AUDIT`]);

    expect(await drainConsumer(stream, 'agency-JUDICIARY')).toEqual(['cases.JUDICIARY.task-created']);
    // One copy each, and each in its own stream.
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    expect((await jsm.streams.info(auditStreamName(stream))).state.messages).toBe(1);
  });

  it('sets the CloudEvents content type and the message id headers', async () => {
    const stream = await freshStream();
    const message = only(eventMessages(3, 'warrant-approved', { warrantRef: 'W-1' }), 'POLICE');
    await publishAgencyMessages(js, [message], { streamName: stream, timeoutMs: 5_000 });
    const m = await (await js.consumers.get(stream, 'agency-POLICE')).next({ expires: 2_000 });
    expect(m?.headers?.get('Content-Type')).toBe('application/cloudevents+json');
    expect(m?.headers?.get('Nats-Msg-Id')).toBe(message.msgId);
    expect(m?.json()).toEqual(message.event);
    m?.ack();
  });

  it('throws when the stream does not acknowledge (wrong stream expected, or no stream at all)', async () => {
    const stream = await freshStream();
    const messages = eventMessages(4, 'warrant-approved', { warrantRef: 'W-1' });
    await expect(publishAgencyMessages(js, messages, { streamName: 'ELSEWHERE', timeoutMs: 2_000 })).rejects.toThrow(
      EventPublishError,
    );
    await jsm.streams.delete(stream);
    await jsm.streams.delete(auditStreamName(stream));
    const err = await publishAgencyMessages(js, messages, { streamName: stream, timeoutMs: 1_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(EventPublishError);
    expect((err as EventPublishError).failedMsgIds).toHaveLength(messages.length);
  });
});

describe('publishing across a server outage', () => {
  it('fails while the server is down, and the retry with the same ids stores each message once', async () => {
    const stream = await freshStream();
    const before = eventMessages(5, 'warrant-approved', { warrantRef: 'W-5' });
    const during = eventMessages(6, 'warrant-denied', { warrantRef: 'W-6' });
    await publishAgencyMessages(js, before, { streamName: stream, timeoutMs: 5_000 });

    await server.stop();
    const failed = await publishAgencyMessages(js, during, { streamName: stream, timeoutMs: 1_000 }).catch((e) => e);
    expect(failed).toBeInstanceOf(EventPublishError);

    await server.restart();
    // What the activity does: retry everything with the same ids until the stream acknowledges.
    const retried = await eventuallyPublished([...before, ...during], stream);
    expect(retried.slice(0, before.length).every((r) => r.duplicate)).toBe(true);
    const events = (await jsm.streams.info(stream)).state.messages;
    const audit = (await jsm.streams.info(auditStreamName(stream))).state.messages;
    expect(events + audit).toBe(before.length + during.length);
  });
});

/** Retries until the reconnected client gets its PubAcks, as the Temporal activity would. */
async function eventuallyPublished(messages: Parameters<typeof publishAgencyMessages>[1], stream: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await publishAgencyMessages(js, messages, { streamName: stream, timeoutMs: 2_000 });
    } catch (err) {
      if (attempt >= 15) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('routing', () => {
  it('gives each agency consumer only its own subjects, and audit one copy of everything', async () => {
    const stream = await freshStream();
    const batches = [
      eventMessages(1, 'case-opened', { codename: 'CUNA', jurisdiction: 'PE-LIM', crimeTypes: ['sale'], priority: 1 }),
      eventMessages(2, 'warrant-requested', { warrantRef: 'W-1' }),
      eventMessages(3, 'minor-rescued', { victimRef: 'V-1', custodyRef: 'C-1', minorsRescued: 1 }),
      taskMessages(4, 'task-escalated', humanTask(1, { escalated: true })),
    ];
    for (const b of batches) await publishAgencyMessages(js, b, { streamName: stream, timeoutMs: 5_000 });

    const expected = new Map<Recipient, number>();
    for (const m of batches.flat()) expected.set(m.recipient, (expected.get(m.recipient) ?? 0) + 1);
    for (const agency of AGENCIES) {
      const subjects = await drainConsumer(stream, agencyConsumerName(agency));
      expect(subjects.every((s) => s.startsWith(`cases.${agency}.`))).toBe(true);
      expect(subjects).toHaveLength(expected.get(agency) ?? 0);
    }
    const audit = await drainConsumer(stream, AUDIT_CONSUMER);
    expect(audit).toEqual(
      ['case-opened', 'warrant-requested', 'minor-rescued', 'task-escalated'].map((t) => `cases.AUDIT.${t}`),
    );
    // The reference case: JUDICIARY never learns of the rescue, PARTNER only of the figures.
    expect(expected.get('JUDICIARY')).toBe(3);
  });
});
