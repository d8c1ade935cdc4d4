/**
 * The notifier's Prometheus series. The Notifier only sees the NotifierMetrics interface (and keeps its plain
 * `counters` for tests); this module binds it to prom-client.
 *
 * Labels are bounded on purpose: agency (a fixed list), event type (the event catalogue; anything else counts as
 * `other`) and dead-letter reason (a fixed union). Nothing else from a message becomes a label, so a malformed or
 * hostile message cannot blow up the series count, and no case data reaches the metrics.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { EVENT_TYPES } from '../domain/events';

/** What the notifier reports. Every method is cheap and never throws. */
export interface NotifierMetrics {
  /** An event reached every channel; latencySeconds is event time → delivered (omitted when unknown). */
  delivered(agency: string, eventType: string, latencySeconds?: number): void;
  /** A delivery failed and the message was handed back for redelivery (nak with backoff). */
  retried(agency: string, eventType: string): void;
  /** A message was terminated and recorded as a dead letter. */
  deadLettered(agency: string, reason: string): void;
  /** An event already delivered (same source+id) was acknowledged without notifying again. */
  duplicateSkipped(agency: string): void;
}

export const NOOP_NOTIFIER_METRICS: NotifierMetrics = {
  delivered: () => undefined,
  retried: () => undefined,
  deadLettered: () => undefined,
  duplicateSkipped: () => undefined,
};

/** Metric names, for dashboards and tests. */
export const NOTIFIER_METRIC_NAMES = {
  delivered: 'notifier_delivered_total',
  retried: 'notifier_retried_total',
  deadLettered: 'notifier_dead_lettered_total',
  duplicatesSkipped: 'notifier_duplicates_skipped_total',
  deliveryLatency: 'notifier_delivery_latency_seconds',
} as const;

/**
 * Event time → delivered, in seconds. Most deliveries take well under a second; a retried one waits out its
 * backoff (up to NOTIFIER_RETRY_MAX, 5 minutes by default) per attempt, and a notifier that was down delivers
 * its backlog hours late. The buckets cover all three.
 */
export const DELIVERY_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400];

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
    help: 'Deliveries that failed and were handed back to JetStream for a later attempt.',
    labelNames: ['agency', 'event_type'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: NOTIFIER_METRIC_NAMES.deadLettered,
    help: 'Messages given up on (unreadable, invalid, or out of deliveries) and recorded as dead letters.',
    labelNames: ['agency', 'reason'] as const,
    registers,
  });
  const duplicates = new Counter({
    name: NOTIFIER_METRIC_NAMES.duplicatesSkipped,
    help: 'Redelivered events that had already been delivered, acknowledged without notifying again.',
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
  };
}

/** Seconds from an ISO event time to `now`; undefined when the time does not parse. */
export function secondsSince(eventTime: string, now: Date): number | undefined {
  const t = Date.parse(eventTime);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 1000;
}
