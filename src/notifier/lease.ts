/**
 * One active notifier per agency: a lease is a key in the lease bucket (`<READER>`), which expires with the bucket's
 * TTL unless its holder writes it again. Taking it is a create (fails while someone holds it), renewing is an
 * update on the revision we wrote (fails if anyone else wrote since), letting go is a delete on that revision.
 * A standby polls until the key is gone (released, or expired after a crash) and takes it.
 *
 * A lease cannot fence a holder that stopped hearing from NATS, so the holder fences itself: when it could not
 * renew for most of a TTL it treats the lease as lost. The server fences the rest: the notifier's consumers hand
 * out one message at a time (max_ack_pending 1), so a stale holder cannot let a later event overtake an earlier one.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';

export interface LeaseOptions {
  kv: KV;
  /** What is leased: a reader (agency, or CLEARED). */
  key: string;
  /** This process, as other notifiers and admins see it (`nats kv get`): host, pid and a random part. */
  holder: string;
  /** The bucket's TTL: the lease lapses this long after the last write. */
  ttlMs: number;
  logger: Logger;
  now?: () => number;
}

interface LeaseValue {
  holder: string;
  since: string;
}

export class Lease {
  /** Aborted when the lease is lost (someone else holds it now, or we could not renew in time) or released. */
  readonly lost: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private lastRenewedAt: number;
  private renewing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: LeaseOptions,
    private revision: number,
    /** When we took it (ms): the notifier's retry horizon never starts before this. */
    readonly acquiredAt: number,
  ) {
    this.lost = this.controller.signal;
    this.lastRenewedAt = acquiredAt;
    this.timer = setInterval(() => {
      this.renewing = this.renew();
    }, renewEvery(opts.ttlMs));
    this.timer.unref();
  }

  /** Waits until the lease is ours (returns it) or `stop` is aborted (returns undefined). */
  static async acquire(opts: LeaseOptions, stop: AbortSignal): Promise<Lease | undefined> {
    const now = opts.now ?? Date.now;
    let waiting = false;
    let failing = false;
    while (!stop.aborted) {
      const since = now();
      const value: LeaseValue = { holder: opts.holder, since: new Date(since).toISOString() };
      try {
        const revision = await opts.kv.create(opts.key, JSON.stringify(value));
        return new Lease(opts, revision, since);
      } catch (err) {
        if (isTaken(err)) {
          failing = false;
          if (!waiting) {
            waiting = true;
            const holder = await holderOf(opts.kv, opts.key);
            opts.logger.info({ lease: opts.key, holder }, 'standby: lease held elsewhere');
          }
        } else {
          // NATS away, or a bucket we may not write: worth one warning per spell, not one per attempt.
          opts.logger[failing ? 'debug' : 'warn']({ err, lease: opts.key }, 'could not take the lease; will try again');
          failing = true;
        }
      }
      await pause(renewEvery(opts.ttlMs), stop);
    }
    return undefined;
  }

  get held(): boolean {
    return !this.lost.aborted;
  }

  /** Lets go, so a standby takes over at once rather than after the TTL. Safe to call twice, or after a loss. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (this.lost.aborted) return;
    this.controller.abort(new Error('released'));
    try {
      await this.opts.kv.delete(this.opts.key, { previousSeq: this.revision });
    } catch (err) {
      // Someone else holds it already, or NATS is away: it lapses with the TTL either way.
      this.opts.logger.debug({ err, lease: this.opts.key }, 'lease not released; it will lapse');
    }
  }

  private async renew(): Promise<void> {
    if (this.lost.aborted) return;
    const now = (this.opts.now ?? Date.now)();
    try {
      const value: LeaseValue = { holder: this.opts.holder, since: new Date(this.acquiredAt).toISOString() };
      this.revision = await this.opts.kv.update(this.opts.key, JSON.stringify(value), this.revision);
      this.lastRenewedAt = now;
    } catch (err) {
      if (isTaken(err)) return this.lose('taken over or lapsed');
      // Not renewed: past most of a TTL, another notifier may already have taken it.
      if (now - this.lastRenewedAt >= this.opts.ttlMs * 0.8) return this.lose('not renewed in time');
      this.opts.logger.debug({ err, lease: this.opts.key }, 'lease renewal failed; will try again');
    }
  }

  private lose(why: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.opts.logger.warn({ lease: this.opts.key, why }, 'lease lost');
    this.controller.abort(new Error(`lease lost: ${why}`));
  }
}

/** Renewals come three times per TTL, so one or two can fail without losing the lease. */
function renewEvery(ttlMs: number): number {
  return Math.max(100, Math.floor(ttlMs / 3));
}

function isTaken(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

async function holderOf(kv: KV, key: string): Promise<string | undefined> {
  try {
    const entry = await kv.get(key);
    return entry?.operation === 'PUT' ? entry.json<LeaseValue>().holder : undefined;
  } catch {
    return undefined;
  }
}

function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    stop.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
}
