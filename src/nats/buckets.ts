/**
 * The notifier's state lives in JetStream KV, next to the events, so there is no other database to run: the task
 * inbox (a projection of task-* events), the dedupe marks, the dead-letter records and the per-agency leases.
 *
 * The admin provisions the buckets (`ensureNotifierBuckets`, idempotent, also brings TTLs and size limits up to
 * date); run-time identities only open them (`openNotifierBuckets`), which needs nothing beyond reading and
 * writing their keys (see auth-config.ts).
 */
import { DiscardPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { streamInfoOrNull } from './stream';

export const TASK_INBOX_BUCKET = 'case-task-inbox';
export const NOTIFIER_SEEN_BUCKET = 'case-notifier-seen';
export const DEAD_LETTER_BUCKET = 'case-dead-letters';
export const LEASE_BUCKET = 'case-notifier-leases';

/** Dedupe marks must outlive any redelivery of the same event, so at least the retry horizon. */
export const DEFAULT_SEEN_TTL_MS = 7 * 24 * 3_600_000;
export const DEFAULT_DEAD_LETTER_TTL_MS = 30 * 24 * 3_600_000;
/** About 100,000 records of a few hundred bytes: far beyond a bad week, and still small. */
export const DEFAULT_DEAD_LETTER_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_LEASE_TTL_MS = 15_000;
/** A dead-letter record names a message and a reason; anything bigger is a bug. */
const DEAD_LETTER_MAX_VALUE_BYTES = 4 * 1024;

export interface NotifierBuckets {
  inbox: KV;
  seen: KV;
  deadLetters: KV;
  leases: KV;
}

export interface BucketSpec {
  seenTtlMs?: number;
  deadLetterTtlMs?: number;
  deadLetterMaxBytes?: number;
  leaseTtlMs?: number;
  /** Bucket name prefix, so tests sharing a server do not share state. */
  prefix?: string;
  /** Copies kept on a clustered JetStream (NATS_REPLICAS). */
  replicas?: number;
}

/** The bucket names, for permissions (auth-config.ts) and for opening. */
export function notifierBucketNames(prefix = ''): Record<keyof NotifierBuckets, string> {
  return {
    inbox: `${prefix}${TASK_INBOX_BUCKET}`,
    seen: `${prefix}${NOTIFIER_SEEN_BUCKET}`,
    deadLetters: `${prefix}${DEAD_LETTER_BUCKET}`,
    leases: `${prefix}${LEASE_BUCKET}`,
  };
}

/** The stream behind a KV bucket. */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/** Creates the buckets that are missing and brings TTLs and limits of existing ones to the spec. Admin only. */
export async function ensureNotifierBuckets(nc: NatsConnection, spec: BucketSpec = {}): Promise<NotifierBuckets> {
  const kvm = new Kvm(nc);
  const jsm = await jetstreamManager(nc);
  const names = notifierBucketNames(spec.prefix);
  const replicas = spec.replicas ?? 1;
  const [inbox, seen, deadLetters, leases] = await Promise.all([
    // A few revisions per task keep its recent transitions visible to an admin (`nats kv history`).
    ensureBucket(kvm, jsm, names.inbox, { history: 5, replicas }),
    ensureBucket(kvm, jsm, names.seen, { history: 1, ttl: spec.seenTtlMs ?? DEFAULT_SEEN_TTL_MS, replicas }),
    // Bounded in age and size. When full, the oldest records make room (see limitBucket).
    ensureBucket(kvm, jsm, names.deadLetters, {
      history: 1,
      ttl: spec.deadLetterTtlMs ?? DEFAULT_DEAD_LETTER_TTL_MS,
      max_bytes: spec.deadLetterMaxBytes ?? DEFAULT_DEAD_LETTER_MAX_BYTES,
      maxValueSize: DEAD_LETTER_MAX_VALUE_BYTES,
      replicas,
    }),
    // A lease is a key that expires unless its holder writes it again (lease.ts).
    ensureBucket(kvm, jsm, names.leases, { history: 1, ttl: spec.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, replicas }),
  ]);
  await limitBucket(jsm, names.deadLetters);
  return { inbox, seen, deadLetters, leases };
}

/**
 * Opens provisioned buckets without managing them: what the notifier does under its least-privilege user. Fails
 * with a clear message when setup has not run.
 */
export async function openNotifierBuckets(
  nc: NatsConnection,
  spec: Pick<BucketSpec, 'prefix'> = {},
): Promise<NotifierBuckets> {
  const names = notifierBucketNames(spec.prefix);
  const [inbox, seen, deadLetters, leases] = await Promise.all(Object.values(names).map((n) => openBucket(nc, n)));
  return { inbox, seen, deadLetters, leases } as NotifierBuckets;
}

export class BucketMissingError extends Error {
  override readonly name = 'BucketMissingError';
}

/** Opens one bucket read/write by name (the gateway opens the inbox this way and only reads it). */
export async function openBucket(nc: NatsConnection, name: string): Promise<KV> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const info = await streamInfoOrNull(jsm, kvStreamName(name));
  if (!info)
    throw new BucketMissingError(`KV bucket ${name} does not exist: run \`cases setup\` with the admin identity`);
  return new Kvm(nc).open(name, { allow_direct: info.config.allow_direct === true });
}

async function ensureBucket(kvm: Kvm, jsm: JetStreamManager, name: string, opts: Partial<KvOptions>): Promise<KV> {
  const kv = await kvm.create(name, opts);
  // Kvm.create opens an existing bucket as it is: bring its age and size limits to what is asked now.
  const info = await jsm.streams.info(kvStreamName(name));
  const maxAge = opts.ttl ? nanos(opts.ttl) : 0;
  const maxBytes = opts.max_bytes ?? -1;
  if (info.config.max_age !== maxAge || (info.config.max_bytes ?? -1) !== maxBytes) {
    await jsm.streams.update(kvStreamName(name), { max_age: maxAge, max_bytes: maxBytes });
  }
  return kv;
}

/**
 * KV buckets refuse writes when full (discard new). For dead letters the newest record matters more than the
 * oldest: the oldest are dropped instead, and the messages they named are still in the event stream.
 */
async function limitBucket(jsm: JetStreamManager, name: string): Promise<void> {
  const info = await jsm.streams.info(kvStreamName(name));
  if (info.config.discard !== DiscardPolicy.Old)
    await jsm.streams.update(kvStreamName(name), { discard: DiscardPolicy.Old });
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
