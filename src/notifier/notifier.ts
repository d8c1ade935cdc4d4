/**
 * The notifier: for each reader (each agency, and CLEARED), takes the reader's lease (lease.ts), then reads the
 * reader's durable consumer and turns each event into task-inbox updates and staff notifications. Per message:
 *
 *   validate → dedupe (source+id) → [inbox projection → channels], retried in place → mark seen → ackAck
 *
 * Ordering: per reader, in stream order. A failing delivery is retried where it stands (backoff capped at
 * NOTIFIER_RETRY_MAX, kept alive on the server with `working()`), so no later event of the same agency overtakes
 * it; the consumer's max_ack_pending of 1 makes the server enforce the same across notifiers. Only when the retry
 * horizon has passed does the event become a dead letter (replayable) and the queue move on.
 *
 * One active notifier per reader: the lease holder reads, any other notifier stands by and takes over when the
 * lease is released (graceful stop) or lapses (crash). The position lives in the durable consumer, so whoever
 * holds the lease resumes where the last one acked.
 *
 * CLEARED task events (a restricted agency's tasks, for the staff the prosecution cleared by name) are projected
 * into the inbox of the task's assignee agency with the cleared staff list, and reach only the channels that reach
 * persons one by one (e-mail to the cleared staff), never the agency's webhook or the log.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { millis, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import type { NotifierBuckets } from '../nats/buckets';
import { EnvelopeError, parseCaseEvent, type ReceivedEvent } from '../nats/cloud-event';
import { agencyConsumerName, CLEARED, type Reader } from '../nats/subjects';
import { NOOP_NOTIFIER_METRICS, secondsSince, type NotifierMetrics } from '../metrics/notifier-metrics';
import type { Delivery, NotificationChannel } from './channels';
import { clearDeadLetter, recordDeadLetter, REPLAY_HEADER, type DeadLetterReason } from './dead-letters';
import { eventIdentity, hasSeen, markSeen, seenKey } from './dedupe';
import { applyTaskEvent } from './inbox';
import { Lease } from './lease';
import { DEFAULT_RETRY_POLICY, horizonStart, nextRetry, type RetryPolicy } from './retry';

export interface NotifierCounters {
  delivered: number;
  retried: number;
  deadLettered: number;
  duplicatesSkipped: number;
  replaysDelivered: number;
}

export interface NotifierOptions {
  nc: NatsConnection;
  stream: string;
  agencies: readonly Agency[];
  /** Also serve the CLEARED route (default true). */
  cleared?: boolean;
  buckets: NotifierBuckets;
  channels: readonly NotificationChannel[];
  logger: Logger;
  /** Backoff of a failing delivery: retryBaseMs * 2^(n-1), capped at retryMaxMs, for retryHorizonMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  retryHorizonMs?: number;
  /** This process as other notifiers see it in the lease bucket; default host:pid:random. */
  holder?: string;
  /** Messages pulled ahead per reader (the consumer hands out one at a time anyway). */
  batchSize?: number;
  /** Pause before re-opening a consume that ended with an error. */
  restartDelayMs?: number;
  now?: () => Date;
  /** Prometheus reporting (src/metrics); `counters` are kept either way. */
  metrics?: NotifierMetrics;
}

export class NotifierStateError extends Error {
  override readonly name = 'NotifierStateError';
}

/** Enough to cover what can be in flight around an outage; each entry is one short key. */
const RECENTLY_DELIVERED_MAX = 50_000;
/** Retry cap for writing a dead-letter record (the message is held until it is written). */
const RECORD_RETRY_MAX_MS = 30_000;

interface ReaderConsumer {
  reader: Reader;
  consumer: Consumer;
  ackWaitMs: number;
}

export class Notifier {
  readonly counters: NotifierCounters = {
    delivered: 0,
    retried: 0,
    deadLettered: 0,
    duplicatesSkipped: 0,
    replaysDelivered: 0,
  };
  readonly holder: string;
  private readonly logger: Logger;
  private readonly metrics: NotifierMetrics;
  private readonly policy: RetryPolicy;
  private readonly stopping = new AbortController();
  private readonly leases = new Map<Reader, Lease>();
  /**
   * What this process delivered lately, checked before the KV mark: when NATS goes away between a delivery and its
   * mark or ack, the redelivery that follows is recognised here and not sent twice. (A crash in that gap can still
   * repeat one delivery; receivers dedupe on webhook-id.)
   */
  private readonly recentlyDelivered = new Set<string>();
  private loops: Promise<void>[] = [];
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly opts: NotifierOptions) {
    this.logger = opts.logger.child({ component: 'notifier' });
    this.metrics = opts.metrics ?? NOOP_NOTIFIER_METRICS;
    this.policy = {
      baseMs: opts.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
      maxMs: opts.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxMs,
      horizonMs: opts.retryHorizonMs ?? DEFAULT_RETRY_POLICY.horizonMs,
    };
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  get readers(): Reader[] {
    return [...this.opts.agencies, ...(this.opts.cleared === false ? [] : [CLEARED])];
  }

  /** The readers this notifier is active for right now (holds the lease of). */
  get active(): Reader[] {
    return [...this.leases.entries()].filter(([, l]) => l.held).map(([r]) => r);
  }

  /**
   * Checks every reader's consumer and the lease bucket, then runs in the background (active or standby per
   * reader). Rejects, starting nothing, if a consumer or the lease TTL is missing: run `cases setup` first.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new NotifierStateError(`notifier cannot start: it is ${this.state}`);
    this.state = 'running';
    try {
      const js = jetstream(this.opts.nc);
      const consumers = await Promise.all(
        this.readers.map(async (reader): Promise<ReaderConsumer> => {
          const name = agencyConsumerName(reader);
          const consumer = await js.consumers.get(this.opts.stream, name).catch((err: unknown) => {
            if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
            throw new NotifierStateError(`consumer ${this.opts.stream}/${name} is missing: run \`cases setup\``);
          });
          const info = await consumer.info(true);
          return { reader, consumer, ackWaitMs: millis(info.config.ack_wait ?? 30_000_000_000) };
        }),
      );
      const ttlMs = (await this.opts.buckets.leases.status()).ttl;
      if (!ttlMs) throw new NotifierStateError('the lease bucket has no TTL: run `cases setup` to provision it');
      this.loops = consumers.map((c) => this.runReader(c, ttlMs));
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.logger.info({ readers: this.readers, stream: this.opts.stream, holder: this.holder }, 'notifier started');
  }

  /**
   * Stops pulling, interrupts a delivery waiting to be retried, hands back (nak) what it holds so the next notifier
   * gets it at once, and releases its leases so a standby takes over without waiting for them to lapse. Does not
   * close the connection.
   */
  async stop(): Promise<void> {
    if (this.state === 'new') this.state = 'stopped';
    if (this.state === 'stopped') return;
    if (this.state === 'running') {
      this.state = 'stopping';
      this.stopping.abort(new Error('notifier stopping'));
    }
    await Promise.all(this.loops);
    this.state = 'stopped';
    this.logger.info({ counters: this.counters }, 'notifier stopped');
  }

  private async runReader(c: ReaderConsumer, ttlMs: number): Promise<void> {
    const log = this.logger.child({ agency: c.reader });
    const stop = this.stopping.signal;
    while (!stop.aborted) {
      const lease = await Lease.acquire(
        { kv: this.opts.buckets.leases, key: c.reader, holder: this.holder, ttlMs, logger: log },
        stop,
      );
      if (!lease) return;
      this.leases.set(c.reader, lease);
      this.metrics.leaseChanged(c.reader, 'acquired');
      log.info({ holder: this.holder }, 'lease acquired: active for this agency');
      const held = AbortSignal.any([lease.lost, stop]);
      try {
        while (!held.aborted) {
          try {
            await this.consume(c, lease, held, log);
          } catch (err) {
            if (!held.aborted) log.warn({ err }, 'consuming failed; will reopen');
          }
          if (this.opts.nc.isClosed()) {
            if (!stop.aborted) log.error('nats connection closed; agency consumer stops');
            break;
          }
          if (!held.aborted) await pause(this.opts.restartDelayMs ?? 1_000, held);
        }
      } finally {
        const lost = lease.lost.aborted;
        await lease.release();
        this.leases.delete(c.reader);
        this.metrics.leaseChanged(c.reader, lost ? 'lost' : 'released');
        this.metrics.blocked(c.reader, 0);
      }
      if (this.opts.nc.isClosed()) return;
    }
  }

  private async consume(c: ReaderConsumer, lease: Lease, held: AbortSignal, log: Logger): Promise<void> {
    const messages = await c.consumer.consume({ max_messages: this.opts.batchSize ?? 16 });
    const close = (): void => {
      messages.close().catch(() => undefined);
    };
    held.addEventListener('abort', close, { once: true });
    // The lease may have gone while we were opening: nothing else would close what it could not see.
    if (held.aborted) close();
    watchConsumerStatus(messages, log);
    try {
      for await (const m of messages) {
        if (held.aborted) {
          signal(m, 'nak', log);
          continue;
        }
        await this.handle(c, m, lease, held, log);
      }
    } finally {
      held.removeEventListener('abort', close);
    }
  }

  private async handle(c: ReaderConsumer, m: JsMsg, lease: Lease, held: AbortSignal, log: Logger): Promise<void> {
    const reader = c.reader;
    // A slow or retried delivery must not let ack_wait expire and the server hand the message to someone else.
    const keepAlive = setInterval(() => signal(m, 'working', log), Math.max(500, Math.floor(c.ackWaitMs / 3)));
    try {
      let received: ReceivedEvent;
      try {
        received = parseCaseEvent(m.data, m.subject);
        if (received.recipient !== reader) {
          throw new EnvelopeError('subject-mismatch', `message for ${received.recipient} on ${reader}'s consumer`);
        }
      } catch (err) {
        if (!(err instanceof EnvelopeError)) throw err;
        await this.deadLetter(reader, m, err.reason, err.message, { eventId: err.eventId }, held, log);
        return;
      }
      const { event, eventType } = received;
      const ids = { eventId: event.id, eventType, streamSeq: m.seq, deliveryCount: m.info.deliveryCount };
      const replay = m.headers?.get(REPLAY_HEADER) || undefined;
      const identity = eventIdentity(event, received.inboxAgency);
      const key = seenKey(reader, identity);
      const deliveredHere = this.recentlyDelivered.has(key);
      if (deliveredHere || (await hasSeen(this.opts.buckets.seen, reader, identity))) {
        // The mark may be what failed last time.
        if (deliveredHere) await markSeen(this.opts.buckets.seen, reader, identity, m.seq, this.now());
        if (replay) await this.replayDone(reader, received, replay, log);
        this.counters.duplicatesSkipped++;
        this.metrics.duplicateSkipped(reader);
        log.debug(ids, 'duplicate event skipped');
        await this.ack(m, log);
        return;
      }
      const startedAt = horizonStart(m.time.getTime(), lease.acquiredAt);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.deliver(reader, received, m, attempt);
          break;
        } catch (err) {
          const detail = err instanceof Error ? `${err.name}: ${err.message}` : 'delivery failed';
          const now = this.now().getTime();
          const decision = nextRetry(this.policy, attempt, startedAt, now);
          if (decision.kind === 'give-up') {
            this.metrics.blocked(reader, 0);
            const known = { eventId: event.id, source: event.source, eventType, inboxAgency: received.inboxAgency };
            await this.deadLetter(reader, m, 'delivery-exhausted', detail, known, held, log);
            return;
          }
          this.counters.retried++;
          this.metrics.retried(reader, eventType);
          this.metrics.blocked(reader, (now - startedAt) / 1000);
          log.warn({ ...ids, attempt, delayMs: decision.delayMs, error: detail }, 'delivery failed; will retry');
          await pause(decision.delayMs, held);
          if (held.aborted) {
            // Stopping, or the lease went: the next holder continues with this very event.
            this.metrics.blocked(reader, 0);
            signal(m, 'nak', log);
            return;
          }
        }
      }
      this.metrics.blocked(reader, 0);
      const deliveredAt = this.now();
      this.remember(key);
      try {
        await markSeen(this.opts.buckets.seen, reader, identity, m.seq, deliveredAt);
      } catch (err) {
        // Delivered: a redelivery is recognised by recentlyDelivered, which marks it then.
        log.warn({ err, ...ids }, 'delivered, but not marked seen');
      }
      this.counters.delivered++;
      this.metrics.delivered(reader, eventType, secondsSince(event.time, deliveredAt));
      if (replay) await this.replayDone(reader, received, replay, log);
      await this.ack(m, log);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The inbox projection (idempotent) and every channel; throws if any of them failed. */
  private async deliver(reader: Reader, received: ReceivedEvent, m: JsMsg, attempt: number): Promise<void> {
    const { event, eventType, task, clearedStaff } = received;
    // CLEARED tasks land in the inbox of the agency they are for, visible to its cleared staff only.
    const agency = reader !== CLEARED ? reader : (received.inboxAgency ?? task?.assignee);
    if (task && agency) {
      await applyTaskEvent(
        this.opts.buckets.inbox,
        agency,
        eventType,
        event,
        task,
        clearedStaff ? { clearedStaff } : {},
      );
    }
    const delivery: Delivery = {
      reader,
      eventType,
      event,
      ...(task ? { task } : {}),
      streamSeq: m.seq,
      deliveryCount: m.info.deliveryCount,
      attempt,
    };
    if (reader !== CLEARED) {
      for (const channel of this.opts.channels) await channel.deliver(delivery);
      return;
    }
    // ...and reach the cleared persons (e-mail), never the restricted agency's systems.
    if (!task || !agency || !clearedStaff?.length) return;
    for (const channel of this.opts.channels.filter((c) => c.reachesClearedStaff)) {
      await channel.deliver({ ...delivery, cleared: { agency, staffIds: clearedStaff } });
    }
  }

  /** A replayed dead letter got through (now or before): its record goes. */
  private async replayDone(reader: Reader, received: ReceivedEvent, key: string, log: Logger): Promise<void> {
    try {
      const { inboxAgency } = received;
      if (await clearDeadLetter(this.opts.buckets.deadLetters, reader, received.event, { key, inboxAgency })) {
        this.counters.replaysDelivered++;
        this.metrics.replayDelivered(reader);
        log.info({ eventId: received.event.id }, 'replayed dead letter delivered; record removed');
      }
    } catch (err) {
      log.warn({ err, eventId: received.event.id }, 'replayed dead letter delivered; record not removed');
    }
  }

  /**
   * Records the dead letter, then terminates the message. The record is written before the message goes: without
   * it the message would vanish unnoticed, so writing is retried for as long as this notifier holds the lease.
   */
  private async deadLetter(
    reader: Reader,
    m: JsMsg,
    reason: DeadLetterReason,
    detail: string,
    known: { eventId?: string; source?: string; eventType?: string; inboxAgency?: Agency | undefined },
    held: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const msgId = m.headers?.get('Nats-Msg-Id');
    const record = {
      agency: reader,
      ...(known.eventId ? { eventId: known.eventId } : {}),
      ...(known.eventId && known.source ? { source: known.source } : {}),
      ...(known.inboxAgency ? { inboxAgency: known.inboxAgency } : {}),
      reason,
      detail: detail.slice(0, 500),
      at: this.now().toISOString(),
      stream: this.opts.stream,
      streamSeq: m.seq,
      subject: m.subject.slice(0, 256),
      deliveryCount: m.info.deliveryCount,
      ...(msgId && msgId.length <= 300 ? { msgId } : {}),
    };
    // The child logger already names the agency.
    const { agency: _agency, ...logged } = record;
    for (let failures = 1; ; failures++) {
      try {
        await recordDeadLetter(this.opts.buckets.deadLetters, record);
        break;
      } catch (err) {
        log.error({ err, ...logged }, 'dead letter not recorded; will try again');
        await pause(Math.min(RECORD_RETRY_MAX_MS, 500 * 2 ** Math.min(10, failures - 1)), held);
        if (held.aborted) {
          signal(m, 'nak', log);
          return;
        }
      }
    }
    signal(m, 'term', log);
    this.counters.deadLettered++;
    // Known once the envelope was read; a metric label only, never taken from an unvalidated subject.
    this.metrics.deadLettered(reader, reason);
    log.warn({ ...logged, ...(known.eventType ? { eventType: known.eventType } : {}) }, 'message dead-lettered');
  }

  private async ack(m: JsMsg, log: Logger): Promise<void> {
    try {
      const ok = await m.ackAck();
      if (!ok) log.warn({ streamSeq: m.seq }, 'ack not confirmed; a redelivery will be skipped as duplicate');
    } catch (err) {
      log.warn({ err, streamSeq: m.seq }, 'ack failed; a redelivery will be skipped as duplicate');
    }
  }

  private remember(key: string): void {
    this.recentlyDelivered.add(key);
    // Bounded: oldest first out (a Set iterates in insertion order).
    if (this.recentlyDelivered.size > RECENTLY_DELIVERED_MAX) {
      const oldest = this.recentlyDelivered.values().next().value;
      if (oldest !== undefined) this.recentlyDelivered.delete(oldest);
    }
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }
}

/**
 * nak/term/working are fire-and-forget publishes; on a closed connection they throw. That must not abort the loop:
 * the server redelivers an unacknowledged message after ack_wait anyway.
 */
function signal(m: JsMsg, kind: 'nak' | 'term' | 'working', log: Logger): void {
  try {
    if (kind === 'nak') m.nak();
    // nats-server 2.9 rejects a term with a reason: always call it bare.
    else if (kind === 'term') m.term();
    else m.working();
  } catch (err) {
    log.debug({ err, streamSeq: m.seq, kind }, 'could not signal the server; it will redeliver after ack_wait');
  }
}

function watchConsumerStatus(messages: ConsumerMessages, log: Logger): void {
  const watching = (async () => {
    for await (const s of messages.status()) {
      switch (s.type) {
        case 'heartbeats_missed':
        case 'consumer_not_found':
        case 'stream_not_found':
        case 'consumer_deleted':
        case 'no_responders':
          log.warn({ status: s }, 'agency consumer status');
          break;
        default:
          break;
      }
    }
  })();
  watching.catch(() => undefined);
}

/** Waits ms, or less if `signal` is aborted first. */
function pause(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort.aborted) return resolve();
    const timer = setTimeout(done, ms);
    abort.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    }
  });
}
