/**
 * Need-to-know for reads: what each agency sees of a case's status and timeline, as the gateway answers
 * them. The same principle as the event views (events.ts): data, not ifs, and fail closed; an agency
 * shut out of the case (conflict of interest) sees nothing at all (access.ts decides, before this).
 */
import { PERMISSIONS, type Who } from './permissions';
import type { Actor, Agency } from './agencies';
import { EVENT_CATALOG, type EventSpec } from './events';
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
    'defendants',
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
    'defendants',
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
    'defendants',
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
  if (agency === 'POLICE') {
    view.victims = snapshot.victims.map((v) => ({ ref: v.ref, minor: v.minor }));
    // The police need to know who is severed (a fugitive to find), not verdicts and appeals.
    view.defendants = snapshot.defendants.map(({ suspectRef, status, severance }) => ({
      suspectRef,
      status,
      ...(severance ? { severance } : {}),
    }));
  }
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
    // The current verdict of each defendant (an appeal may have replaced the first).
    convicted: snapshot.defendants.filter((d) => d.verdict?.outcome === 'convicted').length,
    acquitted: snapshot.defendants.filter((d) => d.verdict?.outcome === 'acquitted').length,
    dismissed: snapshot.defendants.filter((d) => d.verdict?.outcome === 'dismissed').length,
    severed: snapshot.defendants.filter((d) => d.status === 'severed').length,
    finalJudgments: snapshot.defendants.filter((d) => d.status === 'final').length,
  };
}

/** Agencies that see the whole timeline, who did what included: the lead and the watchdog. */
const FULL_TIMELINE: readonly Agency[] = ['PROSECUTION', 'OVERSIGHT'];

/** What the agency is told of a system entry: everything (the task's holders, a full view), only that it
 * happened (a partial view of the event: no reference), or nothing. */
function viewOfSystemEntry(entry: TimelineEntry, agency: Agency): 'full' | 'fact' | undefined {
  if (entry.for) return entry.for.includes(agency) ? 'full' : undefined;
  if (!Object.prototype.hasOwnProperty.call(EVENT_CATALOG, entry.type)) return undefined;
  const spec = EVENT_CATALOG[entry.type as keyof typeof EVENT_CATALOG] as EventSpec;
  const view = spec.to[agency];
  if (view === undefined || spec.onRequest?.includes(agency)) return undefined;
  return view === 'full' ? 'full' : 'fact';
}

/**
 * What `actor` may see of the timeline: the lead and oversight all of it; others the entries of the
 * commands their agency takes part in (those the permission matrix lets it issue), and of other
 * agencies' entries only the agency, never the person; and what the system did (source: system) when
 * their agency is told of it (the event catalogue, or the holders of the task it is about), with its
 * reference only when their view of the event is whole.
 */
export function timelineView(entries: readonly TimelineEntry[], actor: Pick<Actor, 'agency'>): TimelineEntry[] {
  const agency = actor.agency;
  if (FULL_TIMELINE.includes(agency)) return [...entries];
  const takesPart = (type: string) =>
    type === 'openCase' || (isCaseCommand(type) && (PERMISSIONS[type].who as Who)[agency] !== undefined);
  const out: TimelineEntry[] = [];
  for (const { for: _for, ...e } of entries) {
    if (e.source === 'system') {
      const view = viewOfSystemEntry({ ...e, ...(_for ? { for: _for } : {}) }, agency);
      if (view === 'full') out.push(e);
      else if (view === 'fact') out.push({ at: e.at, type: e.type, source: 'system' });
    } else if (takesPart(e.type)) {
      out.push(e.by && e.by.agency !== agency ? { ...e, by: { agency: e.by.agency, roles: [] } } : e);
    }
  }
  return out;
}

function isCaseCommand(type: string): type is keyof typeof PERMISSIONS {
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, type);
}
