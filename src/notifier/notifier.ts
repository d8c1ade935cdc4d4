/**
 * The notifier: for each agency, reads that agency's durable consumer and turns each event into staff
 * notifications (channels) and task-inbox updates. Per message:
 *
 *   validate → dedupe (source+id) → inbox projection → channels → mark seen → ackAck
 *
 * A delivery failure naks with backoff, so the event comes back; a message that can never be handled
 * (unreadable, invalid, or out of deliveries) is terminated and recorded as a dead letter. The
 * position lives in the durable consumer, so a restarted notifier resumes where the last one acked.
 * Messages of one agency are handled one at a time, in stream order; agencies run side by side.
 */
import { jetstream, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { millis, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import type { NotifierBuckets } from '../nats/buckets';
import { EnvelopeError, parseCaseEvent, type ReceivedEvent } from '../nats/cloud-event';
import { agencyConsumerName } from '../nats/stream';
import { NOOP_NOTIFIER_METRICS, secondsSince, type NotifierMetrics } from '../metrics/notifier-metrics';
import type { Delivery, NotificationChannel } from './channels';
import { recordDeadLetter, type DeadLetterReason } from './dead-letters';
import { hasSeen, markSeen, seenKey } from './dedupe';
import { applyTaskEvent } from './inbox';

export interface NotifierCounters {
  delivered: number;
  retried: number;
  deadLettered: number;
  duplicatesSkipped: number;
}

export interface NotifierOptions {
  nc: NatsConnection;
  stream: string;
  agencies: readonly Agency[];
  buckets: NotifierBuckets;
  channels: readonly NotificationChannel[];
  logger: Logger;
  /** nak delay for redelivery n is retryBaseMs * 2^(n-1), capped at retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Messages pulled ahead per agency. Small: pulled-but-unhandled messages wait out ack_wait on a crash. */
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

interface ConsumerLimits {
  maxDeliver: number;
  ackWaitMs: number;
}

/** Enough to cover what can be in flight around an outage; each entry is one short key. */
const RECENTLY_DELIVERED_MAX = 50_000;

export class Notifier {
  readonly counters: NotifierCounters = { delivered: 0, retried: 0, deadLettered: 0, duplicatesSkipped: 0 };
  private readonly js: JetStreamClient;
  private readonly logger: Logger;
  private readonly metrics: NotifierMetrics;
  private readonly live = new Map<Agency, ConsumerMessages>();
  /**
   * What this process delivered lately, checked before the KV mark: when NATS goes away between a
   * delivery and its mark or ack, the redelivery that follows is recognised here and not sent twice.
   * (A crash in that gap can still repeat one delivery; receivers dedupe on X-Case-Event-Id.)
   */
  private readonly recentlyDelivered = new Set<string>();
  private loops: Promise<void>[] = [];
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private wake: () => void = () => undefined;
  private readonly stopSignal: Promise<void>;

  constructor(private readonly opts: NotifierOptions) {
    this.js = jetstream(opts.nc);
    this.logger = opts.logger.child({ component: 'notifier' });
    this.metrics = opts.metrics ?? NOOP_NOTIFIER_METRICS;
    this.stopSignal = new Promise<void>((resolve) => (this.wake = resolve));
  }

  /**
   * Opens every agency's consumer, then handles messages in the background. Rejects (and starts
   * nothing) if a consumer is missing: run ensureJetStream first.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new NotifierStateError(`notifier cannot start: it is ${this.state}`);
    this.state = 'running';
    try {
      const consumers = await Promise.all(
        this.opts.agencies.map(async (agency) => {
          const consumer = await this.js.consumers.get(this.opts.stream, agencyConsumerName(agency));
          const info = await consumer.info(true);
          const limits: ConsumerLimits = {
            maxDeliver: info.config.max_deliver ?? -1,
            ackWaitMs: millis(info.config.ack_wait ?? 30_000_000_000),
          };
          return { agency, consumer, limits };
        }),
      );
      this.loops = consumers.map(({ agency, consumer, limits }) =>
        this.runAgency(agency, () => consumer.consume({ max_messages: this.opts.batchSize ?? 16 }), limits),
      );
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.logger.info({ agencies: this.opts.agencies, stream: this.opts.stream }, 'notifier started');
  }

  /**
   * Stops pulling, finishes the message in hand, and naks those already pulled so they are redelivered
   * at once to the next notifier rather than after ack_wait. Does not close the connection.
   */
  async stop(): Promise<void> {
    if (this.state === 'new') this.state = 'stopped';
    if (this.state === 'stopped') return;
    if (this.state === 'running') {
      this.state = 'stopping';
      this.wake();
      await Promise.all([...this.live.values()].map((messages) => messages.close().catch(() => undefined)));
    }
    await Promise.all(this.loops);
    this.state = 'stopped';
    this.logger.info({ counters: this.counters }, 'notifier stopped');
  }

  private get running(): boolean {
    return this.state === 'running';
  }

  private async runAgency(
    agency: Agency,
    open: () => Promise<ConsumerMessages>,
    limits: ConsumerLimits,
  ): Promise<void> {
    const log = this.logger.child({ agency });
    while (this.running) {
      try {
        const messages = await open();
        this.live.set(agency, messages);
        // stop() may have run while we were opening: it could not close what it could not see.
        if (!this.running) await messages.close();
        watchConsumerStatus(messages, log);
        for await (const m of messages) {
          if (!this.running) {
            signal(m, 'nak', log);
            continue;
          }
          await this.handle(agency, m, limits, log);
        }
      } catch (err) {
        if (this.running) log.warn({ err }, 'consuming failed; will reopen');
      } finally {
        this.live.delete(agency);
      }
      if (this.opts.nc.isClosed()) {
        if (this.running) log.error('nats connection closed; agency consumer stops');
        return;
      }
      if (this.running) await Promise.race([sleep(this.opts.restartDelayMs ?? 1_000), this.stopSignal]);
    }
  }

  private async handle(agency: Agency, m: JsMsg, limits: ConsumerLimits, log: Logger): Promise<void> {
    let received: ReceivedEvent;
    try {
      received = parseCaseEvent(m.data, m.subject);
      if (received.recipient !== agency) {
        throw new EnvelopeError('subject-mismatch', `message for ${received.recipient} on ${agency}'s consumer`);
      }
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err;
      await this.deadLetter(agency, m, limits, err.reason, err.message, err.eventId, log);
      return;
    }
    const { event, eventType, task } = received;
    const ids = { eventId: event.id, eventType, streamSeq: m.seq, deliveryCount: m.info.deliveryCount };
    // A slow webhook (retries, timeouts) must not let ack_wait expire and the message be redelivered meanwhile.
    const keepAlive = setInterval(() => signal(m, 'working', log), Math.max(500, Math.floor(limits.ackWaitMs / 3)));
    try {
      const { seen, inbox } = this.opts.buckets;
      const key = seenKey(agency, event);
      const deliveredHere = this.recentlyDelivered.has(key);
      if (deliveredHere || (await hasSeen(seen, agency, event))) {
        // The mark may be what failed last time.
        if (deliveredHere) await markSeen(seen, agency, event, m.seq, this.now());
        this.counters.duplicatesSkipped++;
        this.metrics.duplicateSkipped(agency);
        log.debug(ids, 'duplicate event skipped');
        await this.ack(m, log);
        return;
      }
      if (task) {
        const outcome = await applyTaskEvent(inbox, agency, eventType, event, task);
        if (outcome === 'stale') log.debug({ ...ids, taskId: task.id }, 'older task event; inbox kept');
      }
      const delivery: Delivery = {
        agency,
        eventType,
        event,
        ...(task ? { task } : {}),
        streamSeq: m.seq,
        deliveryCount: m.info.deliveryCount,
      };
      for (const channel of this.opts.channels) await channel.deliver(delivery);
      const deliveredAt = this.now();
      this.remember(key);
      await markSeen(seen, agency, event, m.seq, deliveredAt);
      this.counters.delivered++;
      this.metrics.delivered(agency, eventType, secondsSince(event.time, deliveredAt));
      await this.ack(m, log);
    } catch (err) {
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : 'delivery failed';
      if (limits.maxDeliver > 0 && m.info.deliveryCount >= limits.maxDeliver) {
        await this.deadLetter(agency, m, limits, 'delivery-exhausted', detail, event.id, log, eventType);
        return;
      }
      const delayMs = this.retryDelay(m.info.deliveryCount);
      signal(m, 'nak', log, delayMs);
      this.counters.retried++;
      this.metrics.retried(agency, eventType);
      log.warn({ ...ids, delayMs, error: detail }, 'delivery failed; will retry');
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async deadLetter(
    agency: Agency,
    m: JsMsg,
    limits: ConsumerLimits,
    reason: DeadLetterReason,
    detail: string,
    eventId: string | undefined,
    log: Logger,
    /** Known once the envelope was read; a metric label only, never taken from an unvalidated subject. */
    eventType = 'unknown',
  ): Promise<void> {
    const record = {
      agency,
      ...(eventId ? { eventId } : {}),
      reason,
      detail,
      at: this.now().toISOString(),
      stream: this.opts.stream,
      streamSeq: m.seq,
      subject: m.subject,
      deliveryCount: m.info.deliveryCount,
    };
    // The child logger already names the agency.
    const { agency: _agency, ...logged } = record;
    try {
      await recordDeadLetter(this.opts.buckets.deadLetters, record);
    } catch (err) {
      // Without a record the message would vanish unnoticed: keep it unless it has no deliveries left.
      const lastChance = limits.maxDeliver > 0 && m.info.deliveryCount >= limits.maxDeliver;
      log.error(
        { err, ...logged },
        lastChance ? 'dead letter not recorded; terminating anyway' : 'dead letter not recorded; will retry',
      );
      if (!lastChance) {
        signal(m, 'nak', log, this.retryDelay(m.info.deliveryCount));
        this.counters.retried++;
        this.metrics.retried(agency, eventType);
        return;
      }
    }
    signal(m, 'term', log);
    this.counters.deadLettered++;
    this.metrics.deadLettered(agency, reason);
    log.warn(logged, 'message dead-lettered');
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

  private retryDelay(deliveryCount: number): number {
    const base = this.opts.retryBaseMs ?? 1_000;
    const max = this.opts.retryMaxMs ?? 300_000;
    return Math.min(max, base * 2 ** Math.min(20, Math.max(0, deliveryCount - 1)));
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }
}

/**
 * nak/term/working are fire-and-forget publishes; on a closed connection they throw. That must not
 * abort the loop: the server redelivers an unacknowledged message after ack_wait anyway.
 */
function signal(m: JsMsg, kind: 'nak' | 'term' | 'working', log: Logger, delayMs?: number): void {
  try {
    if (kind === 'nak') m.nak(delayMs);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
