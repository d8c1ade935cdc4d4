/**
 * Dead letters: messages the notifier gave up on (unreadable, invalid, or still undeliverable at the end of the
 * retry horizon). The record says which message and why, never what it said: the message itself stays in the
 * stream, where an admin can look it up by sequence, and where `replayDeadLetters` finds it again.
 *
 * One record per (reader, event): a replayed event that fails again updates its record instead of adding one, and
 * the notifier removes the record once the replay is delivered. The bucket is bounded in age and size
 * (NOTIFIER_DEAD_LETTER_TTL, NOTIFIER_DEAD_LETTER_MAX_BYTES; the oldest records go first).
 */
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../domain/agencies';
import type { CloudEvent } from '../domain/envelope';
import { CONTENT_TYPE_CLOUDEVENTS, type EnvelopeRejection } from '../nats/cloud-event';
import type { Reader } from '../nats/subjects';
import { eventIdentity, seenKey } from './dedupe';

export type DeadLetterReason = EnvelopeRejection | 'delivery-exhausted';

/** Set on a re-published dead letter: the key of its record, which the notifier removes once it is delivered. */
export const REPLAY_HEADER = 'Case-Dead-Letter';

export interface DeadLetter {
  /** The reader whose copy it was: an agency, or CLEARED. */
  agency: Reader;
  /** Known when the envelope could be read far enough. */
  eventId?: string;
  /** Known with the event id: together they name the event (and the record's key). */
  source?: string;
  /** For a CLEARED copy: the agency whose inbox it was for (part of the key, see eventIdentity). */
  inboxAgency?: Agency;
  /** Rule and path that failed, or the last delivery error; never payload values. */
  detail: string;
  reason: DeadLetterReason;
  at: string;
  stream: string;
  streamSeq: number;
  subject: string;
  deliveryCount: number;
  /** The message's Nats-Msg-Id, from which a replay's id is derived. */
  msgId?: string;
  /** Set by `cases dead-letters replay`. */
  replays?: number;
  replayedAt?: string;
}

export type DeadLetterRef = Pick<DeadLetter, 'agency' | 'stream' | 'streamSeq'> &
  Partial<Pick<DeadLetter, 'eventId' | 'source' | 'inboxAgency'>>;

/** By event when known (so a replay's failure lands on the same record), else by stream position. */
export function deadLetterKey(d: DeadLetterRef): string {
  if (d.eventId !== undefined && d.source !== undefined) {
    return seenKey(d.agency, eventIdentity({ source: d.source, id: d.eventId }, d.inboxAgency));
  }
  return `${d.agency}.${d.stream}.${d.streamSeq}`;
}

/** Writes the record, keeping the replay count of an earlier record of the same event. */
export async function recordDeadLetter(kv: KV, d: DeadLetter): Promise<string> {
  const key = deadLetterKey(d);
  const earlier = await kv.get(key);
  const replays = earlier?.operation === 'PUT' ? earlier.json<DeadLetter>().replays : undefined;
  await kv.put(key, JSON.stringify({ ...d, ...(replays ? { replays } : {}) } satisfies DeadLetter));
  return key;
}

/**
 * Removes the record of a replayed event that has now been delivered; true if there was one. The key comes from
 * the replay's header (so records of any age are found); it is used only if it is the reader's own and names this
 * very event, else the key is computed from the event.
 */
export async function clearDeadLetter(
  kv: KV,
  reader: Reader,
  event: Pick<CloudEvent, 'source' | 'id'>,
  opts: { inboxAgency?: Agency; key?: string } = {},
): Promise<boolean> {
  const ref = { agency: reader, eventId: event.id, source: event.source, stream: '', streamSeq: 0 };
  const computed = deadLetterKey(opts.inboxAgency ? { ...ref, inboxAgency: opts.inboxAgency } : ref);
  const given =
    opts.key && /^[-/=.\w]{1,300}$/.test(opts.key) && opts.key.startsWith(`${reader}.`) ? opts.key : undefined;
  for (const key of given && given !== computed ? [given, computed] : [computed]) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT' || entry.json<DeadLetter>().eventId !== event.id) continue;
    await kv.delete(key, { previousSeq: entry.revision });
    return true;
  }
  return false;
}

export interface DeadLetterQuery {
  agency?: Reader;
  /** Only records written at or after this time. */
  since?: Date;
}

/** All dead letters (or one reader's), oldest first. */
export async function listDeadLetters(kv: KV, q: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  return (await readRecords(kv, q)).map((r) => r.value);
}

async function readRecords(
  kv: KV,
  q: DeadLetterQuery,
): Promise<Array<{ key: string; revision: number; value: DeadLetter }>> {
  const keys: string[] = [];
  for await (const k of await kv.keys(q.agency ? `${q.agency}.>` : '>')) keys.push(k);
  const out: Array<{ key: string; revision: number; value: DeadLetter }> = [];
  for (const key of keys) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const value = entry.json<DeadLetter>();
    if (q.since && Date.parse(value.at) < q.since.getTime()) continue;
    out.push({ key, revision: entry.revision, value });
  }
  // Stream order within a stream: replays then reach each agency in the order the events were published.
  return out.sort((a, b) => a.value.streamSeq - b.value.streamSeq || a.value.at.localeCompare(b.value.at));
}

export type ReplayOutcome = 'republished' | 'not-replayable' | 'message-gone';

export interface ReplayResult {
  agency: Reader;
  eventId?: string;
  stream: string;
  streamSeq: number;
  outcome: ReplayOutcome;
  /** Where the copy went (republished only). */
  replaySeq?: number;
  /** JetStream already held this replay (the same replay run twice): nothing new was stored. */
  duplicate?: boolean;
}

/**
 * Re-publishes undeliverable events (reason `delivery-exhausted`) from the stream, byte for byte, on their own
 * subject: the same CloudEvent id, so receivers and the notifier's dedupe see the same event. The notifier delivers
 * the copy like any other (behind the agency's newer events) and removes the record once it is delivered.
 * Invalid messages are not replayed: the same bytes would fail the same way.
 *
 * Idempotent: each record's replay has a fixed Nats-Msg-Id, so running replay again within the duplicate window
 * stores nothing new; after it, a second copy is skipped by the notifier as already delivered. Needs the admin
 * identity (it reads the stream by sequence).
 */
export async function replayDeadLetters(
  nc: NatsConnection,
  kv: KV,
  q: DeadLetterQuery & { now?: Date } = {},
): Promise<ReplayResult[]> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const results: ReplayResult[] = [];
  for (const { key, revision, value: d } of await readRecords(kv, q)) {
    const base = {
      agency: d.agency,
      ...(d.eventId ? { eventId: d.eventId } : {}),
      stream: d.stream,
      streamSeq: d.streamSeq,
    };
    if (d.reason !== 'delivery-exhausted') {
      results.push({ ...base, outcome: 'not-replayable' });
      continue;
    }
    const original = await storedMessage(jsm, d.stream, d.streamSeq);
    if (!original || original.subject !== d.subject) {
      results.push({ ...base, outcome: 'message-gone' });
      continue;
    }
    const h = headers();
    h.set('Content-Type', CONTENT_TYPE_CLOUDEVENTS);
    h.set(REPLAY_HEADER, key);
    const ack = await js.publish(d.subject, original.data, {
      msgID: `${d.msgId ?? `${d.stream}.${d.streamSeq}`}.replay.${Date.parse(d.at)}`,
      expect: { streamName: d.stream },
      headers: h,
    });
    results.push({
      ...base,
      outcome: 'republished',
      replaySeq: ack.seq,
      ...(ack.duplicate ? { duplicate: true } : {}),
    });
    if (!ack.duplicate) {
      const marked: DeadLetter = {
        ...d,
        replays: (d.replays ?? 0) + 1,
        replayedAt: (q.now ?? new Date()).toISOString(),
      };
      // The notifier may have delivered (and removed) it already: then there is nothing to mark.
      await kv.update(key, JSON.stringify(marked), revision).catch(() => undefined);
    }
  }
  return results;
}

async function storedMessage(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  stream: string,
  seq: number,
): Promise<{ subject: string; data: Uint8Array } | null> {
  try {
    const sm = await jsm.streams.getMessage(stream, { seq });
    return sm ? { subject: sm.subject, data: sm.data } : null;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) {
      return null;
    }
    throw err;
  }
}
