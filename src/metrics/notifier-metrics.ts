/**
 * The notifier's Prometheus series. The Notifier only sees the NotifierMetrics interface (and keeps its plain
 * `counters` for tests); this module binds it to prom-client.
 *
 * Labels are bounded on purpose: agency (a fixed list), event type (the event catalogue; anything else counts as
 * `other`) and dead-letter reason (a fixed union). Nothing else from a message becomes a label, so a malformed or
 * hostile message cannot blow up the series count, and no case data reaches the metrics.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EVENT_TYPES } from '../domain/events';

export type LeaseChange = 'acquired' | 'released' | 'lost';

/** What the notifier reports. Every method is cheap and never throws. `agency` is an agency or CLEARED. */
export interface NotifierMetrics {
  /** An event reached every channel; latencySeconds is event time → delivered (omitted when unknown). */
  delivered(agency: string, eventType: string, latencySeconds?: number): void;
  /** A delivery attempt failed; the notifier will try again after a backoff (within the retry horizon). */
  retried(agency: string, eventType: string): void;
  /** A message was terminated and recorded as a dead letter (invalid, or undeliverable for the whole horizon). */
  deadLettered(agency: string, reason: string): void;
  /** An event already delivered (same source+id) was acknowledged without notifying again. */
  duplicateSkipped(agency: string): void;
  /** A replayed dead letter was delivered, and its record removed. */
  replayDelivered(agency: string): void;
  /** This notifier took, released or lost the agency's lease. */
  leaseChanged(agency: string, change: LeaseChange): void;
  /** How long the agency's oldest undelivered event has been retried; 0 when its deliveries flow. */
  blocked(agency: string, seconds: number): void;
}

export const NOOP_NOTIFIER_METRICS: NotifierMetrics = {
  delivered: () => undefined,
  retried: () => undefined,
  deadLettered: () => undefined,
  duplicateSkipped: () => undefined,
  replayDelivered: () => undefined,
  leaseChanged: () => undefined,
  blocked: () => undefined,
};

/** Metric names, for dashboards and tests. */
export const NOTIFIER_METRIC_NAMES = {
  delivered: 'notifier_delivered_total',
  retried: 'notifier_retried_total',
  deadLettered: 'notifier_dead_lettered_total',
  duplicatesSkipped: 'notifier_duplicates_skipped_total',
  replaysDelivered: 'notifier_dead_letter_replays_delivered_total',
  leaseChanges: 'notifier_lease_changes_total',
  leaseHeld: 'notifier_lease_held',
  deliveryBlocked: 'notifier_delivery_blocked_seconds',
  deliveryLatency: 'notifier_delivery_latency_seconds',
} as const;

/** Prometheus type of each series, for dashboards and tests. */
export const NOTIFIER_METRIC_TYPES: Record<keyof typeof NOTIFIER_METRIC_NAMES, 'counter' | 'gauge' | 'histogram'> = {
  delivered: 'counter',
  retried: 'counter',
  deadLettered: 'counter',
  duplicatesSkipped: 'counter',
  replaysDelivered: 'counter',
  leaseChanges: 'counter',
  leaseHeld: 'gauge',
  deliveryBlocked: 'gauge',
  deliveryLatency: 'histogram',
};

/**
 * Event time → delivered, in seconds. Most deliveries take well under a second; a retried one waits out its
 * backoff (up to NOTIFIER_RETRY_MAX, 5 minutes by default) per attempt, and an event held up by a webhook outage is
 * delivered up to the retry horizon (72 hours by default) late. The buckets cover all three.
 */
export const DELIVERY_LATENCY_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400, 259_200,
];

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** The event-type label: a catalogue type as it is, `unknown` when unread, `other` for anything else. */
export function eventTypeLabel(eventType: string): string {
  return KNOWN_EVENT_TYPES.has(eventType) || eventType === 'unknown' ? eventType : 'other';
}

/** Registers the notifier's series on `registry` (one call per registry: names are unique within one). */
export function createNotifierMetrics(registry: Registry): NotifierMetrics {
  const registers = [registry];
  const delivered = new Counter({
    name: NOTIFIER_METRIC_NAMES.delivered,
    help: 'Events delivered to every channel of the receiving agency.',
    labelNames: ['agency', 'event_type'] as const,
    registers,
  });
  const retried = new Counter({
    name: NOTIFIER_METRIC_NAMES.retried,
    help: 'Delivery attempts that failed and will be tried again after a backoff, within the retry horizon.',
    labelNames: ['agency', 'event_type'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: NOTIFIER_METRIC_NAMES.deadLettered,
    help: 'Messages given up on (unreadable, invalid, or undeliverable for the whole retry horizon), recorded as dead letters.',
    labelNames: ['agency', 'reason'] as const,
    registers,
  });
  const duplicates = new Counter({
    name: NOTIFIER_METRIC_NAMES.duplicatesSkipped,
    help: 'Redelivered events that had already been delivered, acknowledged without notifying again.',
    labelNames: ['agency'] as const,
    registers,
  });
  const replays = new Counter({
    name: NOTIFIER_METRIC_NAMES.replaysDelivered,
    help: 'Replayed dead letters delivered to their agency (their records removed).',
    labelNames: ['agency'] as const,
    registers,
  });
  const leaseChanges = new Counter({
    name: NOTIFIER_METRIC_NAMES.leaseChanges,
    help: "Times this notifier took (acquired), gave up (released) or lost an agency's lease.",
    labelNames: ['agency', 'change'] as const,
    registers,
  });
  const leaseHeld = new Gauge({
    name: NOTIFIER_METRIC_NAMES.leaseHeld,
    help: '1 while this notifier is the active one for the agency (holds its lease), 0 while it stands by.',
    labelNames: ['agency'] as const,
    registers,
  });
  const blocked = new Gauge({
    name: NOTIFIER_METRIC_NAMES.deliveryBlocked,
    help: "Seconds the agency's oldest undelivered event has been retried (later events wait behind it); 0 when flowing.",
    labelNames: ['agency'] as const,
    registers,
  });
  const latency = new Histogram({
    name: NOTIFIER_METRIC_NAMES.deliveryLatency,
    help: "Seconds from an event's time (when the case changed) to its delivery to the agency.",
    labelNames: ['agency'] as const,
    buckets: DELIVERY_LATENCY_BUCKETS,
    registers,
  });
  return {
    delivered(agency, eventType, latencySeconds) {
      delivered.inc({ agency, event_type: eventTypeLabel(eventType) });
      // Clocks differ between the worker that stamped the event and this notifier: never observe a negative age.
      if (latencySeconds !== undefined && Number.isFinite(latencySeconds)) {
        latency.observe({ agency }, Math.max(0, latencySeconds));
      }
    },
    retried(agency, eventType) {
      retried.inc({ agency, event_type: eventTypeLabel(eventType) });
    },
    deadLettered(agency, reason) {
      deadLettered.inc({ agency, reason });
    },
    duplicateSkipped(agency) {
      duplicates.inc({ agency });
    },
    replayDelivered(agency) {
      replays.inc({ agency });
    },
    leaseChanged(agency, change) {
      leaseChanges.inc({ agency, change });
      leaseHeld.set({ agency }, change === 'acquired' ? 1 : 0);
    },
    blocked(agency, seconds) {
      blocked.set({ agency }, Number.isFinite(seconds) ? Math.max(0, seconds) : 0);
    },
  };
}

/** Seconds from an ISO event time to `now`; undefined when the time does not parse. */
export function secondsSince(eventTime: string, now: Date): number | undefined {
  const t = Date.parse(eventTime);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 1000;
}
