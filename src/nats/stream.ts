/**
 * The event log: one stream on `cases.>`, one durable pull consumer per agency on `cases.<AGENCY>.>`
 * (a single filter subject each, which is all nats-server 2.9 supports), and `audit` on
 * `cases.AUDIT.>`. Everything here is idempotent: every process that needs the stream ensures it at
 * start, and running it twice, or concurrently, leaves one stream and one consumer per agency.
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
import { agencySubjectFilter, SUBJECT_ROOT } from '../domain/envelope';

export const DEFAULT_MAX_DELIVER = 10;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 1_000;
export const AUDIT_CONSUMER = 'audit';

export function agencyConsumerName(agency: Agency): string {
  return `agency-${agency}`;
}

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
  subjects?: string[];
  /** Copies kept on a clustered JetStream. */
  replicas?: number;
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
    subjects: spec.subjects ?? [`${SUBJECT_ROOT}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    duplicate_window: nanos(spec.duplicateWindowMs),
    num_replicas: spec.replicas ?? 1,
  };
  const existing = await streamInfoOrNull(jsm, spec.name);
  if (!existing) {
    try {
      return { info: await jsm.streams.add(wanted), action: 'created' };
    } catch (err) {
      // Another process may have created it between our info and add: converge on what is there now.
      const raced = await streamInfoOrNull(jsm, spec.name);
      if (!raced) throw err;
      return reconcileStream(jsm, raced, wanted);
    }
  }
  return reconcileStream(jsm, existing, wanted);
}

async function reconcileStream(
  jsm: JetStreamManager,
  existing: StreamInfo,
  wanted: Partial<StreamConfig> & { name: string },
): Promise<{ info: StreamInfo; action: EnsureAction }> {
  const have = existing.config;
  if (have.storage !== wanted.storage || have.retention !== wanted.retention) {
    throw new JetStreamConfigConflictError(
      `stream ${wanted.name} exists with storage=${have.storage} retention=${have.retention}; ` +
        `expected ${wanted.storage}/${wanted.retention} (these cannot be changed in place)`,
    );
  }
  const same =
    sameSet(have.subjects ?? [], wanted.subjects ?? []) &&
    have.max_age === wanted.max_age &&
    have.duplicate_window === wanted.duplicate_window &&
    have.discard === wanted.discard;
  if (same) return { info: existing, action: 'unchanged' };
  const info = await jsm.streams.update(wanted.name, {
    subjects: wanted.subjects,
    max_age: wanted.max_age,
    duplicate_window: wanted.duplicate_window,
    discard: wanted.discard,
  });
  return { info, action: 'updated' };
}

export interface ConsumerSpec {
  /** Agencies that get a durable consumer; defaults to all. */
  agencies?: readonly Agency[];
  /** Also ensure the `audit` consumer on `cases.AUDIT.>` (default true). */
  audit?: boolean;
  ackWaitMs?: number;
  maxDeliver?: number;
  maxAckPending?: number;
}

export interface EnsuredConsumer {
  name: string;
  filterSubject: string;
  action: EnsureAction;
  info: ConsumerInfo;
}

/**
 * Consumer-level `backoff` is deliberately not used: on the server it replaces ack_wait with its first
 * step, which would cut short a slow webhook. The notifier backs off itself with `nak(delay)`.
 */
export async function ensureConsumers(
  jsm: JetStreamManager,
  stream: string,
  spec: ConsumerSpec = {},
): Promise<EnsuredConsumer[]> {
  const wanted: Array<{ name: string; filter: string }> = (spec.agencies ?? AGENCIES).map((a) => ({
    name: agencyConsumerName(a),
    filter: agencySubjectFilter(a),
  }));
  if (spec.audit ?? true) wanted.push({ name: AUDIT_CONSUMER, filter: agencySubjectFilter('AUDIT') });
  const ensured: EnsuredConsumer[] = [];
  for (const { name, filter } of wanted) {
    ensured.push(await ensureConsumer(jsm, stream, name, filter, spec));
  }
  return ensured;
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  filterSubject: string,
  spec: ConsumerSpec,
): Promise<EnsuredConsumer> {
  const tunable = {
    ack_wait: nanos(spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: spec.maxDeliver ?? DEFAULT_MAX_DELIVER,
    max_ack_pending: spec.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
  };
  const existing = await consumerInfoOrNull(jsm, stream, name);
  if (!existing) {
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      description: `case events for ${filterSubject}`,
      filter_subject: filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ...tunable,
    };
    try {
      return { name, filterSubject, action: 'created', info: await jsm.consumers.add(stream, config) };
    } catch (err) {
      const raced = await consumerInfoOrNull(jsm, stream, name);
      if (!raced) throw err;
      return reconcileConsumer(jsm, stream, raced, filterSubject, tunable);
    }
  }
  return reconcileConsumer(jsm, stream, existing, filterSubject, tunable);
}

async function reconcileConsumer(
  jsm: JetStreamManager,
  stream: string,
  existing: ConsumerInfo,
  filterSubject: string,
  tunable: { ack_wait: number; max_deliver: number; max_ack_pending: number },
): Promise<EnsuredConsumer> {
  const have = existing.config;
  const name = existing.name;
  // A consumer with another filter or ack policy would leak or lose events: never "fix" it silently.
  if (have.filter_subject !== filterSubject || have.ack_policy !== AckPolicy.Explicit || have.deliver_subject) {
    throw new JetStreamConfigConflictError(
      `consumer ${stream}/${name} exists with filter ${have.filter_subject ?? '(none)'} and ack ${have.ack_policy}; ` +
        `expected a pull consumer on ${filterSubject} with explicit ack (delete it to recreate)`,
    );
  }
  const same =
    have.ack_wait === tunable.ack_wait &&
    have.max_deliver === tunable.max_deliver &&
    have.max_ack_pending === tunable.max_ack_pending;
  if (same) return { name, filterSubject, action: 'unchanged', info: existing };
  const info = await jsm.consumers.update(stream, name, tunable);
  return { name, filterSubject, action: 'updated', info };
}

export interface EnsuredJetStream {
  jsm: JetStreamManager;
  stream: { info: StreamInfo; action: EnsureAction };
  consumers: EnsuredConsumer[];
}

/** The stream and every consumer, as configured by NATS_STREAM, NATS_STREAM_MAX_AGE, NATS_DUPLICATE_WINDOW. */
export async function ensureJetStream(
  config: Pick<Config, 'NATS_STREAM' | 'NATS_STREAM_MAX_AGE' | 'NATS_DUPLICATE_WINDOW'> & Partial<Pick<Config, 'NATS_REPLICAS'>>,
  nc: NatsConnection,
  consumerSpec: ConsumerSpec = {},
): Promise<EnsuredJetStream> {
  const jsm = await jetstreamManager(nc);
  const stream = await ensureStream(jsm, {
    name: config.NATS_STREAM,
    maxAgeMs: durationMs(config.NATS_STREAM_MAX_AGE),
    duplicateWindowMs: durationMs(config.NATS_DUPLICATE_WINDOW),
    replicas: config.NATS_REPLICAS ?? 1,
  });
  const consumers = await ensureConsumers(jsm, config.NATS_STREAM, consumerSpec);
  return { jsm, stream, consumers };
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

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
