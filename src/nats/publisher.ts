/**
 * Publishing one event's agency messages. Every message carries its deterministic msgId as
 * Nats-Msg-Id, so the publish activity can be retried freely: a message already stored comes back as
 * a duplicate PubAck, which is success. A timeout throws, and the activity retries with the same ids.
 */
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { Agency } from '../domain/agencies';
import { CLOUD_EVENT_TYPE_PREFIX, msgIdFor, subjectFor, type AgencyMessage } from '../domain/envelope';
import { CONTENT_TYPE_CLOUDEVENTS, MAX_EVENT_BYTES } from './cloud-event';
import { CLEARED, streamFor } from './subjects';

export interface PublishOptions {
  /**
   * The event stream (NATS_STREAM). Each message must be stored where it belongs (`Nats-Expected-Stream`): AUDIT
   * copies in the sealed audit stream, the others in this one. A wrong stream is an error, not a loss.
   */
  streamName: string;
  timeoutMs: number;
}

export interface PublishResult {
  msgId: string;
  seq: number;
  duplicate: boolean;
}

/** A message that can never be published as it is; retrying will not help (non-retryable for Temporal). */
export class InvalidAgencyMessageError extends Error {
  override readonly name = 'InvalidAgencyMessageError';
  constructor(
    readonly msgId: string,
    detail: string,
  ) {
    super(`agency message ${msgId}: ${detail}`);
  }
}

/** Some messages were not acknowledged by the stream (timeout, no stream, server down); retry them all. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  constructor(
    readonly failedMsgIds: string[],
    readonly causes: unknown[],
  ) {
    super(
      `${failedMsgIds.length} agency message(s) not acknowledged (${failedMsgIds.slice(0, 3).join(', ')}` +
        `${failedMsgIds.length > 3 ? ', ...' : ''}): ${describe(causes[0])}`,
      { cause: causes[0] },
    );
  }
}

export function encodeAgencyMessage(message: AgencyMessage): Uint8Array {
  const { event, recipient } = message;
  const type = event.type.startsWith(CLOUD_EVENT_TYPE_PREFIX) ? event.type.slice(CLOUD_EVENT_TYPE_PREFIX.length) : '';
  if (!type) throw new InvalidAgencyMessageError(message.msgId, `type must start with ${CLOUD_EVENT_TYPE_PREFIX}`);
  if (message.subject !== subjectFor(recipient, type)) {
    throw new InvalidAgencyMessageError(message.msgId, `subject must be ${subjectFor(recipient, type)}`);
  }
  if (!validMsgId(message)) {
    throw new InvalidAgencyMessageError(message.msgId, `msgId must be ${msgIdFor(event.id, recipient)}`);
  }
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  if (body.byteLength > MAX_EVENT_BYTES) {
    throw new InvalidAgencyMessageError(message.msgId, `${body.byteLength} bytes exceeds ${MAX_EVENT_BYTES}`);
  }
  return body;
}

/**
 * Publishes all messages concurrently (one connection keeps their order in the stream) and waits for
 * every PubAck. Throws InvalidAgencyMessageError before publishing anything if one message is malformed,
 * and EventPublishError after the attempt if any message was not acknowledged.
 */
export async function publishAgencyMessages(
  js: JetStreamClient,
  messages: readonly AgencyMessage[],
  opts: PublishOptions,
): Promise<PublishResult[]> {
  const encoded = messages.map((m) => ({ message: m, body: encodeAgencyMessage(m) }));
  const settled = await Promise.allSettled(
    encoded.map(({ message, body }) => {
      const h = headers();
      h.set('Content-Type', CONTENT_TYPE_CLOUDEVENTS);
      return js.publish(message.subject, body, {
        msgID: message.msgId,
        expect: { streamName: streamFor(message.recipient, opts.streamName) },
        headers: h,
        timeout: opts.timeoutMs,
      });
    }),
  );
  const results: PublishResult[] = [];
  const failed: string[] = [];
  const causes: unknown[] = [];
  settled.forEach((s, i) => {
    const msgId = encoded[i]?.message.msgId ?? '?';
    if (s.status === 'fulfilled') results.push(toResult(msgId, s.value));
    else {
      failed.push(msgId);
      causes.push(s.reason);
    }
  });
  if (failed.length > 0) throw new EventPublishError(failed, causes);
  return results;
}

/**
 * The event id plus the recipient; a CLEARED copy also names the agency whose inbox it is for, since one event can
 * make two of them (an assignee and an escalation agency, both restricted).
 */
function validMsgId(message: AgencyMessage): boolean {
  const expected = msgIdFor(message.event.id, message.recipient);
  if (message.msgId === expected) return true;
  if ((message.recipient as string) !== CLEARED || !message.msgId.startsWith(`${expected}-`)) return false;
  return Agency.safeParse(message.msgId.slice(expected.length + 1)).success;
}

function toResult(msgId: string, ack: PubAck): PublishResult {
  return { msgId, seq: ack.seq, duplicate: ack.duplicate };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
