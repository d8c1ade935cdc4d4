/**
 * Dead letters: messages the notifier gave up on (unreadable, invalid, or undeliverable after the
 * consumer's max_deliver). The record says which message and why, never what it said: the message
 * itself stays in the stream, where an admin with the right to read it can look it up by sequence.
 */
import type { KV } from '@nats-io/kv';
import type { Agency } from '../domain/agencies';
import type { EnvelopeRejection } from '../nats/cloud-event';
import { readAll } from '../nats/buckets';

export type DeadLetterReason = EnvelopeRejection | 'delivery-exhausted';

export interface DeadLetter {
  agency: Agency;
  /** Known when the envelope could be read far enough. */
  eventId?: string;
  reason: DeadLetterReason;
  /** Rule and path that failed, or the last delivery error; never payload values. */
  detail: string;
  at: string;
  stream: string;
  streamSeq: number;
  subject: string;
  deliveryCount: number;
}

export function deadLetterKey(d: Pick<DeadLetter, 'agency' | 'stream' | 'streamSeq'>): string {
  return `${d.agency}.${d.stream}.${d.streamSeq}`;
}

export async function recordDeadLetter(kv: KV, d: DeadLetter): Promise<void> {
  await kv.put(deadLetterKey(d), JSON.stringify(d));
}

/** All dead letters (or one agency's), oldest first. */
export async function listDeadLetters(kv: KV, opts: { agency?: Agency } = {}): Promise<DeadLetter[]> {
  const entries = await readAll<DeadLetter>(kv, opts.agency ? `${opts.agency}.>` : '>');
  return entries.map((e) => e.value).sort((a, b) => a.at.localeCompare(b.at) || a.streamSeq - b.streamSeq);
}
