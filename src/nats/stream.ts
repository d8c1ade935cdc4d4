/**
 * Provisioning the event log (admin identity only; see auth-config.ts). Two streams (subjects.ts): the event
 * stream, one subject tree per recipient, and the sealed audit stream. Durable pull consumers, one filter subject
 * each (all that nats-server 2.9 supports):
 *
 * - `agency-<READER>`: the notifier's, one per agency and `agency-CLEARED`. `max_ack_pending: 1` makes the server
 *   hand out one message at a time, so no event of a reader is delivered before the one ahead of it is settled,
 *   however many notifiers run; `max_deliver: -1` because the notifier, not a delivery count, decides when to give
 *   up (NOTIFIER_RETRY_HORIZON).
 * - `direct-<AGENCY>`: each agency's own, for scripts that read events themselves.
 * - `audit` on the audit stream.
 *
 * Everything here is idempotent: running it twice, or concurrently, leaves the same streams and consumers. It also
 * repairs the layout of older versions (one stream on `cases.>` holding AUDIT too) and says what it did.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { durationMs, type Config } from '../config';
import { AGENCIES, type Agency } from '../domain/agencies';
import { loadNatsSettings } from './settings';
import {
  AUDIT,
  AUDIT_CONSUMER,
  agencyConsumerName,
  auditStreamName,
  auditStreamSubjects,
  CLEARED,
  directConsumerName,
  eventStreamSubjects,
  recipientFilter,
  type Reader,
} from './subjects';

export { AUDIT_CONSUMER, agencyConsumerName, directConsumerName } from './subjects';

export const DEFAULT_ACK_WAIT_MS = 30_000;
/** Agencies reading their own consumer may pull ahead; the notifier's consumers hold one message at a time. */
export const DIRECT_MAX_ACK_PENDING = 1_000;
export const NOTIFIER_MAX_ACK_PENDING = 1;

/** JetStream API error: the subjects of a new or updated stream overlap another stream's. */
const STREAM_SUBJECT_OVERLAP = 10065;

export type EnsureAction = 'created' | 'updated' | 'unchanged';

/** The stream or a consumer exists with settings we must not change in place (storage, filter...). */
export class JetStreamConfigConflictError extends Error {
  override readonly name = 'JetStreamConfigConflictError';
}

export interface StreamSpec {
  name: string;
  maxAgeMs: number;
  /** Must cover the publish activity's retry horizon, or a late retry becomes a second event. */
  duplicateWindowMs: number;
  subjects: string[];
  /** Copies kept on a clustered JetStream. */
  replicas?: number;
  /** No message can be deleted or purged (by anyone), and no rollup can replace history. */
  sealed?: boolean;
}

export async function ensureStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
): Promise<{ info: StreamInfo; action: EnsureAction }> {
  if (spec.duplicateWindowMs <= 0 || spec.duplicateWindowMs > spec.maxAgeMs) {
    throw new JetStreamConfigConflictError(
      `stream ${spec.name}: duplicate window must be positive and at most the max age (server rule)`,
    );
  }
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    duplicate_window: nanos(spec.duplicateWindowMs),
    num_replicas: spec.replicas ?? 1,
    ...(spec.sealed ? { deny_delete: true, deny_purge: true, allow_rollup_hdrs: false } : {}),
  };
  const existing = await streamInfoOrNull(jsm, spec.name);
  if (!existing) {
    try {
      return { info: await jsm.streams.add(wanted), action: 'created' };
    } catch (err) {
      if (isApiError(err, STREAM_SUBJECT_OVERLAP)) throw await overlapError(jsm, spec);
      // Another process may have created it between our info and add: converge on what is there now.
      const raced = await streamInfoOrNull(jsm, spec.name);
      if (!raced) throw err;
      return reconcileStream(jsm, raced, wanted, spec);
    }
  }
  return reconcileStream(jsm, existing, wanted, spec);
}

async function reconcileStream(
  jsm: JetStreamManager,
  existing: StreamInfo,
  wanted: Partial<StreamConfig> & { name: string },
  spec: StreamSpec,
): Promise<{ info: StreamInfo; action: EnsureAction }> {
  const have = existing.config;
  if (have.storage !== wanted.storage || have.retention !== wanted.retention) {
    throw new JetStreamConfigConflictError(
      `stream ${wanted.name} exists with storage=${have.storage} retention=${have.retention}; ` +
        `expected ${wanted.storage}/${wanted.retention} (these cannot be changed in place)`,
    );
  }
  const sealedOk =
    !spec.sealed || (have.deny_delete === true && have.deny_purge === true && have.allow_rollup_hdrs !== true);
  const same =
    sameSet(have.subjects ?? [], wanted.subjects ?? []) &&
    have.max_age === wanted.max_age &&
    have.duplicate_window === wanted.duplicate_window &&
    have.discard === wanted.discard &&
    sealedOk;
  if (same) return { info: existing, action: 'unchanged' };
  try {
    const info = await jsm.streams.update(wanted.name, {
      subjects: wanted.subjects,
      max_age: wanted.max_age,
      duplicate_window: wanted.duplicate_window,
      discard: wanted.discard,
      // Sealing can be added in place; the server refuses to take it away, and so do we.
      ...(spec.sealed ? { deny_delete: true, deny_purge: true, allow_rollup_hdrs: false } : {}),
    });
    return { info, action: 'updated' };
  } catch (err) {
    if (isApiError(err, STREAM_SUBJECT_OVERLAP)) throw await overlapError(jsm, spec);
    throw err;
  }
}

/** Names the stream in the way, since the server's error does not. */
async function overlapError(jsm: JetStreamManager, spec: StreamSpec): Promise<JetStreamConfigConflictError> {
  const others: string[] = [];
  for await (const s of jsm.streams.list()) {
    if (s.config.name === spec.name) continue;
    const clash = (s.config.subjects ?? []).filter((a) => spec.subjects.some((b) => subjectsOverlap(a, b)));
    if (clash.length > 0) others.push(`${s.config.name} (${clash.join(', ')})`);
  }
  return new JetStreamConfigConflictError(
    `stream ${spec.name} on ${spec.subjects.join(', ')} overlaps ${others.join('; ') || 'another stream'}; ` +
      'narrow or delete that stream (as admin) and run setup again',
  );
}

export interface ConsumerSpec {
  /** Agencies that get the notifier's and their own (direct) consumers; defaults to all. */
  agencies?: readonly Agency[];
  /** The notifier's `agency-CLEARED` consumer (default true). */
  cleared?: boolean;
  /** Each agency's `direct-<AGENCY>` consumer (default true). */
  direct?: boolean;
  /** The `audit` consumer on the audit stream (default true). */
  audit?: boolean;
  ackWaitMs?: number;
}

export interface EnsuredConsumer {
  stream: string;
  name: string;
  filterSubject: string;
  action: EnsureAction;
  info: ConsumerInfo;
}

interface WantedConsumer {
  stream: string;
  name: string;
  filter: string;
  maxAckPending: number;
}

/**
 * Consumer-level `backoff` is deliberately not used: on the server it replaces ack_wait with its first step, which
 * would cut short a slow webhook. The notifier retries in place and keeps the message alive with `working()`.
 */
export async function ensureConsumers(
  jsm: JetStreamManager,
  stream: string,
  spec: ConsumerSpec = {},
): Promise<EnsuredConsumer[]> {
  const agencies = spec.agencies ?? AGENCIES;
  const readers: Reader[] = [...agencies, ...(spec.cleared === false ? [] : [CLEARED])];
  const wanted: WantedConsumer[] = readers.map((r) => ({
    stream,
    name: agencyConsumerName(r),
    filter: recipientFilter(r),
    maxAckPending: NOTIFIER_MAX_ACK_PENDING,
  }));
  if (spec.direct ?? true) {
    for (const a of agencies) {
      wanted.push({
        stream,
        name: directConsumerName(a),
        filter: recipientFilter(a),
        maxAckPending: DIRECT_MAX_ACK_PENDING,
      });
    }
  }
  if (spec.audit ?? true) {
    wanted.push({
      stream: auditStreamName(stream),
      name: AUDIT_CONSUMER,
      filter: recipientFilter(AUDIT),
      maxAckPending: DIRECT_MAX_ACK_PENDING,
    });
  }
  const ensured: EnsuredConsumer[] = [];
  for (const w of wanted) ensured.push(await ensureConsumer(jsm, w, spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS));
  return ensured;
}

async function ensureConsumer(jsm: JetStreamManager, w: WantedConsumer, ackWaitMs: number): Promise<EnsuredConsumer> {
  const tunable = { ack_wait: nanos(ackWaitMs), max_deliver: -1, max_ack_pending: w.maxAckPending };
  const existing = await consumerInfoOrNull(jsm, w.stream, w.name);
  if (!existing) {
    const config: Partial<ConsumerConfig> = {
      durable_name: w.name,
      description: `case events for ${w.filter}`,
      filter_subject: w.filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ...tunable,
    };
    try {
      const info = await jsm.consumers.add(w.stream, config);
      return { stream: w.stream, name: w.name, filterSubject: w.filter, action: 'created', info };
    } catch (err) {
      const raced = await consumerInfoOrNull(jsm, w.stream, w.name);
      if (!raced) throw err;
      return reconcileConsumer(jsm, raced, w, tunable);
    }
  }
  return reconcileConsumer(jsm, existing, w, tunable);
}

async function reconcileConsumer(
  jsm: JetStreamManager,
  existing: ConsumerInfo,
  w: WantedConsumer,
  tunable: { ack_wait: number; max_deliver: number; max_ack_pending: number },
): Promise<EnsuredConsumer> {
  const have = existing.config;
  // A consumer with another filter or ack policy would leak or lose events: never "fix" it silently.
  if (have.filter_subject !== w.filter || have.ack_policy !== AckPolicy.Explicit || have.deliver_subject) {
    throw new JetStreamConfigConflictError(
      `consumer ${w.stream}/${w.name} exists with filter ${have.filter_subject ?? '(none)'} and ack ${have.ack_policy}; ` +
        `expected a pull consumer on ${w.filter} with explicit ack (delete it to recreate)`,
    );
  }
  const same =
    have.ack_wait === tunable.ack_wait &&
    have.max_deliver === tunable.max_deliver &&
    have.max_ack_pending === tunable.max_ack_pending;
  const base = { stream: w.stream, name: w.name, filterSubject: w.filter };
  if (same) return { ...base, action: 'unchanged', info: existing };
  const info = await jsm.consumers.update(w.stream, w.name, tunable);
  return { ...base, action: 'updated', info };
}

export interface EventStreamsSpec {
  stream: string;
  maxAgeMs: number;
  auditMaxAgeMs: number;
  duplicateWindowMs: number;
  replicas?: number;
}

export interface EnsuredStreams {
  events: { info: StreamInfo; action: EnsureAction };
  audit: { info: StreamInfo; action: EnsureAction };
  /** What setup changed in an older layout, in words for the operator. */
  migration: string[];
}

/**
 * Both streams. An event stream from before the sealed audit stream binds `cases.>`: it is narrowed to the
 * recipients' subjects first (the audit stream could not be created while it overlaps), its legacy `audit`
 * consumer is removed, and the AUDIT messages it already holds stay in it until they age out.
 */
export async function ensureEventStreams(jsm: JetStreamManager, spec: EventStreamsSpec): Promise<EnsuredStreams> {
  const migration: string[] = [];
  const auditName = auditStreamName(spec.stream);
  const before = await streamInfoOrNull(jsm, spec.stream);
  const held = before ? await auditMessagesIn(jsm, spec.stream, before) : 0;
  const events = await ensureStream(jsm, {
    name: spec.stream,
    subjects: eventStreamSubjects(),
    maxAgeMs: spec.maxAgeMs,
    duplicateWindowMs: spec.duplicateWindowMs,
    ...(spec.replicas ? { replicas: spec.replicas } : {}),
  });
  if (before && events.action === 'updated' && coversAudit(before.config.subjects ?? [])) {
    migration.push(
      `stream ${spec.stream} bound ${(before.config.subjects ?? []).join(', ')}: narrowed to ` +
        `${eventStreamSubjects().length} recipient subjects so that AUDIT goes to the sealed ${auditName}` +
        (held > 0 ? `; the ${held} AUDIT message(s) it holds stay in ${spec.stream} until they age out` : ''),
    );
  }
  const legacy = await consumerInfoOrNull(jsm, spec.stream, AUDIT_CONSUMER);
  if (legacy) {
    await jsm.consumers.delete(spec.stream, AUDIT_CONSUMER);
    migration.push(`removed the legacy consumer ${spec.stream}/${AUDIT_CONSUMER} (audit is read from ${auditName})`);
  }
  const audit = await ensureStream(jsm, {
    name: auditName,
    subjects: auditStreamSubjects(),
    maxAgeMs: spec.auditMaxAgeMs,
    duplicateWindowMs: Math.min(spec.duplicateWindowMs, spec.auditMaxAgeMs),
    sealed: true,
    ...(spec.replicas ? { replicas: spec.replicas } : {}),
  });
  return { events, audit, migration };
}

export interface EnsuredJetStream {
  jsm: JetStreamManager;
  /** The event stream (kept under this name for callers that predate the audit stream). */
  stream: { info: StreamInfo; action: EnsureAction };
  audit: { info: StreamInfo; action: EnsureAction };
  consumers: EnsuredConsumer[];
  migration: string[];
}

export type JetStreamConfig = Pick<Config, 'NATS_STREAM' | 'NATS_STREAM_MAX_AGE' | 'NATS_DUPLICATE_WINDOW'> &
  Partial<Pick<Config, 'NATS_REPLICAS'>> & { NATS_AUDIT_MAX_AGE?: string };

/**
 * Both streams and every consumer, as configured by NATS_STREAM, NATS_STREAM_MAX_AGE, NATS_AUDIT_MAX_AGE (read from
 * the environment when the config does not carry it), NATS_DUPLICATE_WINDOW and NATS_REPLICAS. Needs the admin
 * identity: run-time identities may not manage streams (see provision.ts for processes that try when they may).
 */
export async function ensureJetStream(
  config: JetStreamConfig,
  nc: NatsConnection,
  consumerSpec: ConsumerSpec = {},
): Promise<EnsuredJetStream> {
  const jsm = await jetstreamManager(nc);
  const auditMaxAge = config.NATS_AUDIT_MAX_AGE ?? loadNatsSettings().NATS_AUDIT_MAX_AGE ?? config.NATS_STREAM_MAX_AGE;
  const streams = await ensureEventStreams(jsm, {
    stream: config.NATS_STREAM,
    maxAgeMs: durationMs(config.NATS_STREAM_MAX_AGE),
    auditMaxAgeMs: durationMs(auditMaxAge),
    duplicateWindowMs: durationMs(config.NATS_DUPLICATE_WINDOW),
    replicas: config.NATS_REPLICAS ?? 1,
  });
  const consumers = await ensureConsumers(jsm, config.NATS_STREAM, consumerSpec);
  return { jsm, stream: streams.events, audit: streams.audit, consumers, migration: streams.migration };
}

export async function streamInfoOrNull(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  }
}

export async function consumerInfoOrNull(
  jsm: JetStreamManager,
  stream: string,
  name: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, name);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return null;
    throw err;
  }
}

/** How many AUDIT messages a stream from before the split holds (0 for a stream that never bound them). */
async function auditMessagesIn(jsm: JetStreamManager, name: string, info: StreamInfo): Promise<number> {
  if (!coversAudit(info.config.subjects ?? [])) return 0;
  const filtered = await jsm.streams.info(name, { subjects_filter: recipientFilter(AUDIT) });
  return Object.values(filtered.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
}

function coversAudit(subjects: readonly string[]): boolean {
  return subjects.some((s) => subjectsOverlap(s, recipientFilter(AUDIT)));
}

/** Whether two subject filters can match a common subject (`*` one token, `>` the rest). */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === '>' || q === '>') return p !== undefined && q !== undefined;
    if (p === undefined || q === undefined) return false;
    if (p !== '*' && q !== '*' && p !== q) return false;
  }
  return true;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
