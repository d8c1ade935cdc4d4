/**
 * Need-to-know by construction: one event becomes one message per receiving agency, holding only the
 * fields that agency's view allows (see EVENT_CATALOG), plus one canonical copy for AUDIT.
 */
import type { Agency, Recipient } from './actors';
import {
  CLOUD_EVENT_TYPE_PREFIX,
  eventId,
  msgIdFor,
  subjectFor,
  type AgencyMessage,
  type CloudEvent,
} from './envelope';
import { EVENT_CATALOG, type EventSpec, type PendingEvent, type View } from './events';

export function recipientsOf(event: PendingEvent): Agency[] {
  const spec: EventSpec = EVENT_CATALOG[event.type];
  const base = event.to ?? (Object.keys(spec.to) as Agency[]).filter((a) => !spec.onRequest?.includes(a));
  return [...new Set([...base, ...(event.alsoTo ?? [])])];
}

/** What `agency` sees of an event (its catalogue view). Restriction is decided by toAgencyMessages. */
function viewFor(event: PendingEvent, agency: Agency): Record<string, unknown> {
  const spec: EventSpec = EVENT_CATALOG[event.type];
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
  const messages: AgencyMessage[] = [];
  for (const agency of recipientsOf(event)) {
    if (!event.restricted.includes(agency)) {
      messages.push(message(agency, viewFor(event, agency)));
    } else if ((EVENT_CATALOG[event.type] as EventSpec).dynamic === true) {
      // A restricted agency hears nothing of the case, not even that something was withheld. The tasks
      // it must still do go to its staff cleared by name, through the notifier's inbox alone.
      // `agency` says whose inbox the task belongs in (the assignee, or an escalation agency); it is also
      // part of the message id, since two restricted receivers of one event are two messages.
      const clearedStaff = event.cleared?.[agency] ?? [];
      const copy = message('CLEARED', { ...viewFor(event, agency), agency, clearedStaff });
      messages.push({ ...copy, msgId: `${copy.msgId}-${agency}` });
    }
  }
  messages.push(message('AUDIT', { caseId: event.caseId, ...event.data, ...(event.by ? { by: event.by } : {}) }));
  return messages;
}
