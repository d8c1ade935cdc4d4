/**
 * The event catalogue: every event type the lifecycle emits, who receives it, and what each receiver
 * may see. Routing and views are data here, so "who knows what" is reviewable in one table and
 * testable without a server. Event data holds references and pseudonyms only, never names.
 */
import type { Agency } from './actors';

/** What an agency sees of an event: everything, only some fields, or nothing but the fact. */
export type View = 'full' | readonly string[];

export interface EventSpec {
  summary: string;
  /** Receivers and their views. AUDIT always receives the full event and is not listed. */
  to: Partial<Record<Agency, View>>;
  /** Routed at emission time (task events go to the task's assignee): `to` then gives the views. */
  dynamic?: boolean;
  /** Listed in `to` for their view, but receive the event only when the emitter adds them (alsoTo). */
  onRequest?: readonly Agency[];
}

const ALL_OPS: Partial<Record<Agency, View>> = { PROSECUTION: 'full', POLICE: 'full', JUDICIARY: 'full' };
const TASK_VIEW: Partial<Record<Agency, View>> = {
  PROSECUTION: 'full',
  POLICE: 'full',
  JUDICIARY: 'full',
  CHILD_PROTECTION: 'full',
  OVERSIGHT: 'full',
};

export const EVENT_CATALOG = {
  'case-opened': {
    summary: 'A case was opened.',
    to: {
      PROSECUTION: 'full',
      POLICE: ['caseId', 'codename', 'jurisdiction', 'crimeTypes', 'priority'],
      JUDICIARY: ['caseId', 'codename', 'jurisdiction'],
      OVERSIGHT: ['caseId', 'codename', 'jurisdiction'],
      PARTNER: ['jurisdiction', 'crimeTypes'],
    },
  },
  'stage-changed': {
    summary: 'The case moved to another stage.',
    to: { ...ALL_OPS, CHILD_PROTECTION: ['from', 'to'], OVERSIGHT: ['from', 'to'], PARTNER: ['from', 'to'] },
  },
  'prosecutor-assigned': { summary: 'A lead prosecutor was assigned.', to: { PROSECUTION: 'full', JUDICIARY: 'full' } },
  'staff-cleared': {
    summary: 'PROSECUTION cleared (or stopped clearing) a staff member of a restricted agency by name.',
    to: { PROSECUTION: 'full', OVERSIGHT: 'full' },
  },
  'suspect-added': {
    summary: 'A suspect was identified.',
    to: { PROSECUTION: 'full', POLICE: ['suspectRef', 'roles'] },
  },
  'conflict-of-interest': {
    summary:
      'A suspect is or was an official (institution, its reference): OVERSIGHT reviews; an agency of the case ' +
      'that is the institution (agency) gets no more details.',
    to: { OVERSIGHT: 'full', PROSECUTION: 'full' },
  },
  'victim-added': {
    summary: 'A victim was recorded under a pseudonym.',
    to: { PROSECUTION: 'full', POLICE: ['victimRef', 'minor'], CHILD_PROTECTION: 'full' },
  },
  'witness-added': { summary: 'A witness was recorded under a pseudonym.', to: { PROSECUTION: 'full' } },
  'location-added': { summary: 'A location of interest was recorded.', to: { PROSECUTION: 'full', POLICE: 'full' } },
  'warrant-requested': {
    summary: 'PROSECUTION asked a judge for a warrant.',
    to: { PROSECUTION: 'full', JUDICIARY: 'full' },
  },
  'warrant-approved': { summary: 'A judge approved a warrant.', to: ALL_OPS },
  'warrant-denied': { summary: 'A judge denied a warrant.', to: { PROSECUTION: 'full', JUDICIARY: 'full' } },
  'warrant-expired': { summary: 'An approved warrant lapsed unused.', to: ALL_OPS },
  'raid-planned': {
    summary: 'A coordinated operation was planned.',
    to: {
      PROSECUTION: 'full',
      POLICE: 'full',
      JUDICIARY: ['raidRef', 'warrantRefs'],
      CHILD_PROTECTION: ['raidRef', 'startsAt', 'locationCount'],
    },
  },
  'raid-started': { summary: 'The operation started.', to: { PROSECUTION: 'full', POLICE: 'full' } },
  'location-reported': {
    summary: 'A raid location reported its outcome (secured, hostile, empty, aborted, no-entry).',
    to: { PROSECUTION: 'full', POLICE: 'full' },
  },
  'raid-locations-overdue': {
    summary: 'Raid locations did not report in time.',
    to: { PROSECUTION: 'full', POLICE: 'full' },
  },
  'raid-completed': {
    summary: 'The operation is over; its figures.',
    to: {
      PROSECUTION: 'full',
      POLICE: 'full',
      PARTNER: ['locationCount', 'arrests', 'seizures', 'minorsRescued'],
    },
  },
  'raid-figures-updated': {
    summary: "Something was recorded under a completed raid: the raid's figures now.",
    to: { PROSECUTION: 'full', POLICE: 'full', PARTNER: ['arrests', 'seizures', 'minorsRescued'] },
  },
  'arrest-recorded': {
    summary:
      'A suspect was arrested under an arrest warrant (warrantRef) or in flagrante (a judge reviews it by ' +
      'reviewDueAt); the detention clock runs. OVERSIGHT too when the suspect is an official.',
    to: { ...ALL_OPS, OVERSIGHT: ['arrestRef', 'suspectRef', 'offenceClass', 'warrantRef', 'inFlagrante'] },
    onRequest: ['OVERSIGHT'],
  },
  'arrest-confirmed': { summary: 'A judge found an arrest in flagrante lawful.', to: ALL_OPS },
  'detention-warning': { summary: 'A detention limit is near.', to: ALL_OPS },
  'detention-expired': {
    summary: 'A detention limit lapsed: the detention is unlawful from unlawfulSince until release; release only.',
    to: { ...ALL_OPS, OVERSIGHT: 'full' },
  },
  'unlawful-detention-ended': {
    summary: 'A detention held past its limit ended: the unlawful period (from, until) on the record.',
    to: { ...ALL_OPS, OVERSIGHT: 'full' },
  },
  'detention-extended': { summary: 'A judge extended detention.', to: ALL_OPS },
  'detention-ended': { summary: 'A detainee was released or remanded.', to: ALL_OPS },
  'item-seized': {
    summary: 'An item was seized; its custody chain starts.',
    to: { PROSECUTION: 'full', POLICE: 'full' },
  },
  'custody-transferred': { summary: 'A seized item changed hands.', to: ALL_OPS },
  'minor-rescued': {
    summary: 'A minor was taken into protective custody and referred.',
    to: {
      CHILD_PROTECTION: 'full',
      PROSECUTION: ['victimRef', 'custodyRef'],
      POLICE: ['victimRef'],
      PARTNER: ['minorsRescued'],
    },
  },
  'protection-milestone': {
    summary: 'A step of a minor\u2019s protection was done.',
    to: { CHILD_PROTECTION: 'full', PROSECUTION: ['victimRef', 'milestone'] },
  },
  'charges-filed': {
    summary: 'PROSECUTION filed charges.',
    to: { PROSECUTION: 'full', JUDICIARY: 'full', POLICE: ['chargeRef', 'suspectRefs'] },
  },
  'trial-opened': { summary: 'The trial opened.', to: ALL_OPS },
  'hearing-scheduled': { summary: 'A hearing was scheduled.', to: ALL_OPS },
  'hearing-held': { summary: 'A hearing took place.', to: ALL_OPS },
  'verdict-recorded': {
    summary: "The court gave its verdict on defendants; each one's appeal window opens.",
    to: { ...ALL_OPS, OVERSIGHT: 'full', PARTNER: ['convicted', 'acquitted', 'dismissed'] },
  },
  'defendant-severed': {
    summary: "A defendant's proceedings were severed (tried apart later); they stay open.",
    to: { ...ALL_OPS, OVERSIGHT: ['suspectRef', 'reason'] },
  },
  'appeal-lodged': { summary: "A defendant's verdict was appealed.", to: { ...ALL_OPS, OVERSIGHT: 'full' } },
  'appeal-decided': {
    summary: 'The appellate court decided an appeal: upheld, overturned or retrial.',
    to: { ...ALL_OPS, OVERSIGHT: 'full' },
  },
  'judgment-final': {
    summary: "A defendant's judgment became final (appeal window closed, appeal waived or decided).",
    to: { ...ALL_OPS, OVERSIGHT: 'full', PARTNER: ['outcome'] },
  },
  'case-closed': {
    summary: 'The case was closed.',
    to: { ...ALL_OPS, CHILD_PROTECTION: ['caseId'], OVERSIGHT: ['caseId'], PARTNER: ['caseId'] },
  },
  'case-archived': { summary: 'The case was archived.', to: { ...ALL_OPS, OVERSIGHT: ['caseId', 'reason'] } },
  'task-created': { summary: 'A task was assigned.', to: TASK_VIEW, dynamic: true },
  'task-reminder': { summary: 'A task is due soon.', to: TASK_VIEW, dynamic: true },
  'task-escalated': { summary: 'A task is overdue and was escalated.', to: TASK_VIEW, dynamic: true },
  'task-claimed': { summary: 'A staff member claimed a task.', to: TASK_VIEW, dynamic: true },
  'task-unclaimed': {
    summary: 'The staff member who claimed a task gave it back: it is open to the agency again.',
    to: TASK_VIEW,
    dynamic: true,
  },
  'task-completed': { summary: 'A task was completed.', to: TASK_VIEW, dynamic: true },
  'task-cancelled': { summary: 'A task is no longer needed.', to: TASK_VIEW, dynamic: true },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** The task events: routed at emission to the task's holders (the catalogue's `dynamic` entries). */
export type TaskEventType = Extract<EventType, `task-${string}`>;
export const TASK_EVENT_TYPES = EVENT_TYPES.filter(
  (type): type is TaskEventType => (EVENT_CATALOG[type] as EventSpec).dynamic === true,
);

/** An event waiting in a workflow's outbox for the publish activity. */
export interface PendingEvent {
  seq: number;
  type: EventType;
  at: string;
  caseId: string;
  data: Record<string, unknown>;
  /** Receivers chosen at emission (dynamic events), else the catalogue's. */
  to?: Agency[];
  /** Receivers added for this event only (OVERSIGHT when the suspect is an official). */
  alsoTo?: Agency[];
  /** Agencies under conflict-of-interest restriction when the event was emitted. */
  restricted: Agency[];
  /** Their staff cleared by name then: the only ones who hear of the tasks assigned to those agencies. */
  cleared?: Partial<Record<Agency, string[]>>;
  /** Who issued the command that caused the event (ids only); absent for what the system did itself. */
  by?: { agency: Agency; staffId?: string; roles: string[]; subject?: string; clientId?: string };
}
