/**
 * The wire shape of case events: CloudEvents 1.0, one message per receiving agency on
 * `cases.<RECIPIENT>.<event-type>`. Ids are deterministic so that a retried publish is a duplicate
 * (JetStream Nats-Msg-Id) rather than a second event.
 */
import type { Recipient } from './actors';

export const SUBJECT_ROOT = 'cases';

export interface CloudEvent<D = unknown> {
  specversion: '1.0';
  /** `<workflowId>.<seq>`: unique within its source, stable across retries and replays. */
  id: string;
  /** `/case-orchestrator/<workflowId>`: the workflow that emitted the event. */
  source: string;
  /** `org.case-orchestrator.<event-type>` */
  type: string;
  /** The case id: a reference, never personal data. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: D;
}

/** One agency's copy of an event, ready to publish. */
export interface AgencyMessage {
  recipient: Recipient;
  subject: string;
  /** JetStream Nats-Msg-Id: the event id plus the recipient, since each recipient gets its own message. */
  msgId: string;
  event: CloudEvent;
}

export const CLOUD_EVENT_TYPE_PREFIX = 'org.case-orchestrator.';

export function subjectFor(recipient: Recipient, eventType: string): string {
  return `${SUBJECT_ROOT}.${recipient}.${eventType}`;
}

export function eventId(workflowId: string, seq: number): string {
  return `${workflowId}.${seq}`;
}

export function msgIdFor(eventIdValue: string, recipient: Recipient): string {
  return `${eventIdValue}.${recipient}`;
}
