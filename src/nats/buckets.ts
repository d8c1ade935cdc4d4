/**
 * The notifier's state lives in JetStream KV, next to the events, so there is no other database to
 * run: the task inbox (a projection of task-* events), the dedupe marks, and the dead-letter records.
 * Kvm.create opens a bucket that already exists, so ensuring them is idempotent.
 */
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

export const TASK_INBOX_BUCKET = 'case-task-inbox';
export const NOTIFIER_SEEN_BUCKET = 'case-notifier-seen';
export const DEAD_LETTER_BUCKET = 'case-dead-letters';

/** Dedupe marks must outlive any redelivery of the same event; a week is far beyond max_deliver x backoff. */
export const DEFAULT_SEEN_TTL_MS = 7 * 24 * 3_600_000;

export interface NotifierBuckets {
  inbox: KV;
  seen: KV;
  deadLetters: KV;
}

export interface BucketSpec {
  seenTtlMs?: number;
  /** Bucket name prefix, so tests sharing a server do not share state. */
  prefix?: string;
  /** Copies kept on a clustered JetStream (NATS_REPLICAS). */
  replicas?: number;
}

export async function ensureNotifierBuckets(nc: NatsConnection, spec: BucketSpec = {}): Promise<NotifierBuckets> {
  const kvm = new Kvm(nc);
  const p = spec.prefix ?? '';
  const [inbox, seen, deadLetters] = await Promise.all([
    // A few revisions per task keep its recent transitions visible to an admin (`nats kv history`).
    kvm.create(`${p}${TASK_INBOX_BUCKET}`, { history: 5, replicas: spec.replicas ?? 1 }),
    kvm.create(`${p}${NOTIFIER_SEEN_BUCKET}`, { history: 1, ttl: spec.seenTtlMs ?? DEFAULT_SEEN_TTL_MS, replicas: spec.replicas ?? 1 }),
    kvm.create(`${p}${DEAD_LETTER_BUCKET}`, { history: 1, replicas: spec.replicas ?? 1 }),
  ]);
  return { inbox, seen, deadLetters };
}

/** Reads every current value under a key filter (`POLICE.>`). Fine for inbox-sized sets. */
export async function readAll<T>(kv: KV, filter: string): Promise<Array<{ key: string; value: T }>> {
  const keys: string[] = [];
  for await (const k of await kv.keys(filter)) keys.push(k);
  const out: Array<{ key: string; value: T }> = [];
  for (const key of keys) {
    const entry = await kv.get(key);
    if (entry && entry.operation === 'PUT') out.push({ key, value: entry.json<T>() });
  }
  return out;
}
