/**
 * Need-to-know for reads: what each agency sees of a case's status and timeline, as the gateway answers
 * them. The same principle as the event views (events.ts): data, not ifs, and fail closed; an agency
 * shut out of the case (conflict of interest) sees nothing at all (access.ts decides, before this).
 */
import { PERMISSIONS, type Who } from './permissions';
import type { Actor, Agency } from './agencies';
import type { CaseSnapshot } from './case-state';
import type { TimelineEntry } from './state';
import type { HumanTask } from './tasks';

type Field = keyof CaseSnapshot;

/** The status fields each agency sees. PROSECUTION leads the case and sees all of it. */
const STATUS_FIELDS: Record<Exclude<Agency, 'PROSECUTION'>, readonly Field[]> = {
  POLICE: [
    'caseId',
    'codename',
    'jurisdiction',
    'crimeTypes',
    'priority',
    'stage',
    'openedAt',
    'closedAt',
    'suspects',
    'victims',
    'locations',
    'warrants',
    'raids',
    'arrests',
    'custodyChains',
    'charges',
    'hearings',
    'openTasks',
    'nextDeadlines',
  ],
  JUDICIARY: [
    'caseId',
    'codename',
    'jurisdiction',
    'crimeTypes',
    'stage',
    'openedAt',
    'closedAt',
    'leadProsecutor',
    'suspects',
    'warrants',
    'arrests',
    'custodyChains',
    'charges',
    'hearings',
    'verdicts',
    'openTasks',
    'nextDeadlines',
  ],
  CHILD_PROTECTION: ['caseId', 'jurisdiction', 'stage', 'openedAt', 'closedAt', 'victims', 'hearings', 'openTasks'],
  OVERSIGHT: [
    'caseId',
    'codename',
    'jurisdiction',
    'crimeTypes',
    'priority',
    'stage',
    'openedAt',
    'closedAt',
    'leadProsecutor',
    'restrictedAgencies',
    'clearedStaff',
    'suspects',
    'arrests',
    'verdicts',
    'openTasks',
  ],
  // Partners get figures only: see partnerFigures.
  PARTNER: ['jurisdiction', 'crimeTypes', 'stage', 'openedAt', 'closedAt'],
};

export type StatusView = Partial<CaseSnapshot> & { figures?: Record<string, number> };

/** The tasks of the case an agency holds: assigned to it, or escalated to it. */
function tasksOf(tasks: readonly HumanTask[], agency: Agency): HumanTask[] {
  return tasks.filter((t) => t.assignee === agency || (t.escalated && t.escalateTo.includes(agency)));
}

/** What `actor` may see of the case's status. */
export function statusView(snapshot: CaseSnapshot, actor: Pick<Actor, 'agency'>): StatusView {
  const agency = actor.agency;
  if (agency === 'PROSECUTION') return snapshot;
  const view: Record<string, unknown> = {};
  for (const field of STATUS_FIELDS[agency]) if (snapshot[field] !== undefined) view[field] = snapshot[field];
  if ('openTasks' in view) view.openTasks = tasksOf(snapshot.openTasks, agency);
  // Whether a suspect is an official is oversight's business; the police learn the suspect, not that.
  if (agency !== 'OVERSIGHT' && 'suspects' in view) {
    view.suspects = snapshot.suspects.map(({ official: _official, ...s }) => s);
  }
  // Child protection cares for minors: it sees no adult victim.
  if (agency === 'CHILD_PROTECTION') view.victims = snapshot.victims.filter((v) => v.minor);
  if (agency === 'POLICE') view.victims = snapshot.victims.map((v) => ({ ref: v.ref, minor: v.minor }));
  if (agency === 'PARTNER') view.figures = partnerFigures(snapshot);
  return view as StatusView;
}

/** De-identified counts, for partners' programmes. */
export function partnerFigures(snapshot: CaseSnapshot): Record<string, number> {
  return {
    suspects: snapshot.suspects.length,
    arrests: snapshot.arrests.length,
    minorsRescued: snapshot.victims.filter((v) => v.minor && v.inProtectiveCustody).length,
    locationsRaided: snapshot.raids.reduce((n, r) => n + r.locations, 0),
    convicted: snapshot.verdicts.filter((v) => v.outcome === 'convicted').length,
    acquitted: snapshot.verdicts.filter((v) => v.outcome === 'acquitted').length,
  };
}

/** Agencies that see the whole timeline, who did what included: the lead and the watchdog. */
const FULL_TIMELINE: readonly Agency[] = ['PROSECUTION', 'OVERSIGHT'];

/**
 * What `actor` may see of the timeline: the lead and oversight all of it; others the entries of the
 * commands their agency takes part in (those the permission matrix lets it issue), and of other
 * agencies' entries only the agency, never the person.
 */
export function timelineView(entries: readonly TimelineEntry[], actor: Pick<Actor, 'agency'>): TimelineEntry[] {
  const agency = actor.agency;
  if (FULL_TIMELINE.includes(agency)) return [...entries];
  const takesPart = (type: string) =>
    type === 'openCase' || (isCaseCommand(type) && (PERMISSIONS[type].who as Who)[agency] !== undefined);
  return entries
    .filter((e) => takesPart(e.type))
    .map((e) => (e.by && e.by.agency !== agency ? { ...e, by: { agency: e.by.agency, roles: [] } } : e));
}

function isCaseCommand(type: string): type is keyof typeof PERMISSIONS {
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, type);
}
