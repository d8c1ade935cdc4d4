/**
 * Where staff notifications go. A channel receives one validated event for one agency and either
 * delivers it or throws; the notifier then retries the whole delivery later (backoff, up to the retry
 * horizon). A channel may therefore see the same event twice, and says so to its receiver (the event id).
 */
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import type { CloudEvent } from '../domain/envelope';
import type { HumanTask } from '../domain/tasks';
import type { Reader } from '../nats/subjects';

export interface Delivery {
  /**
   * The agency whose copy this is, or CLEARED: a task of an agency restricted on its case, for the staff the
   * prosecution cleared by name (then `cleared` says who, and only channels that reach persons get it).
   */
  reader: Reader;
  eventType: string;
  event: CloudEvent<Record<string, unknown>>;
  /** The task of a task-* event, already validated. */
  task?: HumanTask;
  streamSeq: number;
  /** 1 on first delivery by the server; a redelivery (after a notifier crash or hand-over) counts up. */
  deliveryCount: number;
  /** 1 on the first attempt of this notifier; counts its retries of the same delivery. */
  attempt: number;
  /** CLEARED only: the restricted agency the task is for, and the staff of it cleared on the case. */
  cleared?: { agency: Agency; staffIds: readonly string[] };
}

export interface NotificationChannel {
  readonly name: string;
  /**
   * Whether the channel reaches persons one by one (e-mail), and so may carry CLEARED task events to the cleared
   * staff. A channel to an agency's systems (webhook) or to logs never does: the restricted agency must not learn.
   */
  readonly reachesClearedStaff?: boolean;
  deliver(delivery: Delivery): Promise<void>;
}

/**
 * The structured log channel: who was told what, by reference only. It never logs `data`, because
 * log pipelines are read by far more people than the agencies entitled to an event.
 */
export class LogChannel implements NotificationChannel {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}

  async deliver(d: Delivery): Promise<void> {
    this.logger.info(
      {
        agency: d.reader,
        eventType: d.eventType,
        caseId: d.event.subject,
        eventId: d.event.id,
        ...(d.task ? { taskId: d.task.id, dueAt: d.task.dueAt, status: d.task.status } : {}),
        streamSeq: d.streamSeq,
        ...(d.deliveryCount > 1 ? { deliveryCount: d.deliveryCount } : {}),
        ...(d.attempt > 1 ? { attempt: d.attempt } : {}),
      },
      'case notification',
    );
  }
}
