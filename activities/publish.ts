/**
 * The only way out of a workflow: publish a batch of its events to JetStream, one message per
 * receiving agency (need-to-know views). Idempotent: event ids are deterministic and used as
 * Nats-Msg-Id, so a retry after a timeout is acknowledged as a duplicate, not stored twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { PendingEvent } from '../src/domain/events';
import { toAgencyMessages } from '../src/domain/views';
import { InvalidAgencyMessageError, publishAgencyMessages } from '../src/nats/publisher';

export interface PublishDeps {
  js: JetStreamClient;
  streamName: string;
  logger: Logger;
  publishTimeoutMs?: number;
}

export interface PublishCaseEventsInput {
  workflowId: string;
  events: PendingEvent[];
}

export interface PublishCaseEventsResult {
  messages: number;
  duplicates: number;
}

export function publishCaseEventsActivity(deps: PublishDeps) {
  return async function publishCaseEvents(input: PublishCaseEventsInput): Promise<PublishCaseEventsResult> {
    const messages = input.events.flatMap((e) => toAgencyMessages(input.workflowId, e));
    try {
      const acks = await publishAgencyMessages(deps.js, messages, {
        streamName: deps.streamName,
        timeoutMs: deps.publishTimeoutMs ?? 5_000,
      });
      const duplicates = acks.filter((a) => a.duplicate).length;
      deps.logger.debug(
        { workflowId: input.workflowId, events: input.events.length, messages: acks.length, duplicates },
        'case events published',
      );
      return { messages: acks.length, duplicates };
    } catch (err) {
      // A malformed message will never publish: fail the activity for good so the workflow's history
      // shows it, instead of retrying forever.
      if (err instanceof InvalidAgencyMessageError) {
        throw ApplicationFailure.nonRetryable(err.message, 'InvalidAgencyMessage');
      }
      throw err;
    }
  };
}
