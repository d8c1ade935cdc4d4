/**
 * Need-to-know by construction: one event becomes one message per receiving agency, holding only the
 * fields that agency's view allows (see EVENT_CATALOG), plus one canonical copy for AUDIT.
 */
import type { Agency, Recipient } from './agencies';
import {
  CLOUD_EVENT_TYPE_PREFIX,
  eventId,
  msgIdFor,
  subjectFor,
  type AgencyMessage,
  type CloudEvent,
} from './envelope';
import { EVENT_CATALOG, type EventSpec, type PendingEvent, type View } from './events';

/** What a restricted agency (conflict of interest) learns of an event: that it happened, nothing more. */
const WITHHELD = { withheld: 'conflict-of-interest' } as const;

export function recipientsOf(event: PendingEvent): Agency[] {
  const spec: EventSpec = EVENT_CATALOG[event.type];
  const base = event.to ?? (Object.keys(spec.to) as Agency[]).filter((a) => !spec.onRequest?.includes(a));
  return [...new Set([...base, ...(event.alsoTo ?? [])])];
}

export function viewFor(event: PendingEvent, agency: Agency): Record<string, unknown> {
  const spec: EventSpec = EVENT_CATALOG[event.type];
  const isOwnTask = spec.dynamic === true;
  // Task events carry only the task's reference-only title and due time, so the assignee keeps them
  // even under restriction: the work still has to be done.
  if (event.restricted.includes(agency) && !isOwnTask) return { caseId: event.caseId, ...WITHHELD };
  // Fail closed: a receiver the catalogue gives no view of this event learns only that it happened.
  const view: View = spec.to[agency] ?? [];
  if (view === 'full') return { caseId: event.caseId, ...event.data };
  const picked: Record<string, unknown> = { caseId: event.caseId };
  for (const field of view) if (field in event.data) picked[field] = event.data[field];
  return picked;
}

export function toAgencyMessages(workflowId: string, event: PendingEvent): AgencyMessage[] {
  const id = eventId(workflowId, event.seq);
  const envelope = (data: Record<string, unknown>): CloudEvent => ({
    specversion: '1.0',
    id,
    source: `/case-orchestrator/${workflowId}`,
    type: `${CLOUD_EVENT_TYPE_PREFIX}${event.type}`,
    subject: event.caseId,
    time: event.at,
    datacontenttype: 'application/json',
    data,
  });
  const message = (recipient: Recipient, data: Record<string, unknown>): AgencyMessage => ({
    recipient,
    subject: subjectFor(recipient, event.type),
    msgId: msgIdFor(id, recipient),
    event: envelope(data),
  });
  return [
    ...recipientsOf(event).map((agency) => message(agency, viewFor(event, agency))),
    message('AUDIT', { caseId: event.caseId, ...event.data }),
  ];
}
