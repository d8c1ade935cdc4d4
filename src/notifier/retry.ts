/**
 * How long the notifier keeps trying to deliver one event, and how often. Not a delivery count: a webhook down for
 * a weekend must still get every notification, in order, when it comes back. Attempts back off exponentially up to
 * a cap (minutes), until the horizon (days) has passed since the event could first be delivered; then the event
 * becomes a dead letter (replayable) and the agency's queue moves on.
 */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  horizonMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, horizonMs: 72 * 3_600_000 };

export type RetryDecision = { kind: 'retry'; delayMs: number } | { kind: 'give-up' };

/**
 * After `failures` failed attempts (1 or more) of a delivery whose horizon started at `startedAtMs`: wait and try
 * again, or give up. The last wait is shortened so that one attempt falls on the horizon itself.
 */
export function nextRetry(policy: RetryPolicy, failures: number, startedAtMs: number, nowMs: number): RetryDecision {
  const deadline = startedAtMs + policy.horizonMs;
  if (nowMs >= deadline) return { kind: 'give-up' };
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return { kind: 'retry', delayMs: Math.max(0, Math.min(backoff, deadline - nowMs)) };
}

/**
 * When the horizon starts: when the message entered the stream, or when this notifier took the agency's lease if
 * that was later. The second keeps a notifier that was itself down for days from dead-lettering its backlog on the
 * first failure: the horizon measures how long we tried, not how long the event waited for us.
 */
export function horizonStart(streamTimestampMs: number, leaseAcquiredAtMs: number): number {
  return Math.max(streamTimestampMs, leaseAcquiredAtMs);
}
