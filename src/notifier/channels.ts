/**
 * Where staff notifications go. A channel receives one validated event for one agency and either
 * delivers it or throws; the notifier then retries the whole message later (nak with backoff). A
 * channel may therefore see the same event twice, and says so to its receiver (the event id).
 */
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import type { CloudEvent } from '../domain/envelope';
import type { HumanTask } from '../domain/tasks';

export interface Delivery {
  agency: Agency;
  eventType: string;
  event: CloudEvent<Record<string, unknown>>;
  /** The task of a task-* event, already validated. */
  task?: HumanTask;
  streamSeq: number;
  /** 1 on first delivery; redeliveries count up to the consumer's max_deliver. */
  deliveryCount: number;
}

export interface NotificationChannel {
  readonly name: string;
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
        agency: d.agency,
        eventType: d.eventType,
        caseId: d.event.subject,
        eventId: d.event.id,
        ...(d.task ? { taskId: d.task.id, dueAt: d.task.dueAt, status: d.task.status } : {}),
        streamSeq: d.streamSeq,
        ...(d.deliveryCount > 1 ? { deliveryCount: d.deliveryCount } : {}),
      },
      'case notification',
    );
  }
}
