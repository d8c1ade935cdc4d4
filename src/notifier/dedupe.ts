/**
 * Consumer-side dedupe on CloudEvents `source + id`, per agency. JetStream's own dedupe (Nats-Msg-Id)
 * only covers its duplicate window and publishes; this covers redeliveries (an ack lost on the way,
 * a notifier killed after delivering) and a late re-publish. Marks expire with the bucket's TTL.
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { Agency } from '../domain/agencies';
import type { CloudEvent } from '../domain/envelope';
import type { Reader } from '../nats/subjects';

/**
 * What dedupe (and the dead-letter key) names an event by: source and id, and for a CLEARED copy also the agency
 * it is for, since one event can make two such copies (a restricted assignee and a restricted escalation agency).
 */
export function eventIdentity(
  event: Pick<CloudEvent, 'source' | 'id'>,
  inboxAgency?: Agency,
): Pick<CloudEvent, 'source' | 'id'> {
  return inboxAgency
    ? { source: event.source, id: `${event.id}~${inboxAgency}` }
    : { source: event.source, id: event.id };
}

/** Hashed, since sources and ids may use characters that KV keys do not allow. */
export function seenKey(agency: Reader, event: Pick<CloudEvent, 'source' | 'id'>): string {
  const digest = createHash('sha256').update(`${event.source}\n${event.id}`).digest('hex');
  return `${agency}.${digest}`;
}

export async function hasSeen(kv: KV, agency: Reader, event: Pick<CloudEvent, 'source' | 'id'>): Promise<boolean> {
  const entry = await kv.get(seenKey(agency, event));
  return entry !== null && entry.operation === 'PUT';
}

export async function markSeen(
  kv: KV,
  agency: Reader,
  event: Pick<CloudEvent, 'source' | 'id'>,
  streamSeq: number,
  at: Date,
): Promise<void> {
  await kv.put(seenKey(agency, event), JSON.stringify({ eventId: event.id, streamSeq, at: at.toISOString() }));
}
