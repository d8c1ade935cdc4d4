/**
 * The permission matrix: which agency, in which roles, may issue which command, at which stages. Data,
 * not ifs: the validators read this table, `cases commands` prints it, and tests check it row by row
 * (and against the lifecycle the commands declare: test/unit/domain-lifecycle.test.ts).
 * The actor it is checked against comes from a verified access token (src/gateway), never a request.
 */
import { ROLE_NAMES, rolesOf, type Actor, type Agency, type AgencyRole } from './actors';
import { reject } from './errors';
import { stagesFrom, type Stage } from './stages';

/** For each agency allowed, the roles of its staff that may act; 'any' = every role of that agency. */
export type Who = Partial<Record<Agency, readonly AgencyRole[] | 'any'>>;

export interface Permission {
  who: Who;
  stages: readonly Stage[];
}

/** Every stage before the final ones. */
const OPEN: readonly Stage[] = stagesFrom('INTAKE');
/** Investigation goes on after arrests and into prosecution: new suspects, locations, operations. */
const INVESTIGATING: readonly Stage[] = ['INTAKE', 'INVESTIGATION', 'OPERATION', 'DETENTION', 'PROSECUTION'];
const OPERATIONAL: readonly Stage[] = ['INVESTIGATION', 'OPERATION', 'DETENTION', 'PROSECUTION'];
const AFTER_RAID: readonly Stage[] = ['OPERATION', 'DETENTION', 'PROSECUTION'];
const DETAINED: readonly Stage[] = ['OPERATION', 'DETENTION', 'PROSECUTION', 'TRIAL', 'JUDGMENT'];

const PROSECUTORS: Who = { PROSECUTION: 'any' };
const JUDGES: Who = { JUDICIARY: ['judge'] };
/** Clerks keep the court's calendar and register what the court receives. */
const COURT: Who = { JUDICIARY: ['judge', 'court-clerk'] };
/** Trial and appeal: a defendant judged while others are still on trial may already appeal. */
const JUDGING: readonly Stage[] = ['TRIAL', 'JUDGMENT'];
const INVESTIGATORS: Who = { PROSECUTION: 'any', POLICE: 'any' };

/** Who may open a case: only the prosecution leads a case. */
export const OPEN_CASE: Who = PROSECUTORS;

export const PERMISSIONS = {
  startInvestigation: { who: PROSECUTORS, stages: ['INTAKE'] },
  // Assigning the lead is the coordinating prosecutor's call, not the lead's own.
  assignProsecutor: { who: { PROSECUTION: ['coordinating-prosecutor'] }, stages: OPEN },
  clearStaff: { who: PROSECUTORS, stages: OPEN },
  revokeClearance: { who: PROSECUTORS, stages: OPEN },
  addSuspect: { who: INVESTIGATORS, stages: INVESTIGATING },
  addVictim: { who: { ...INVESTIGATORS, CHILD_PROTECTION: 'any' }, stages: [...INVESTIGATING, 'TRIAL'] },
  addWitness: { who: INVESTIGATORS, stages: [...INVESTIGATING, 'TRIAL'] },
  addLocation: { who: INVESTIGATORS, stages: INVESTIGATING },
  requestWarrant: { who: PROSECUTORS, stages: OPERATIONAL },
  approveWarrant: { who: JUDGES, stages: OPERATIONAL },
  denyWarrant: { who: JUDGES, stages: OPERATIONAL },
  planRaid: { who: INVESTIGATORS, stages: OPERATIONAL },
  reportLocation: { who: { POLICE: 'any' }, stages: AFTER_RAID },
  recordArrest: { who: { POLICE: 'any' }, stages: AFTER_RAID },
  // The judicial review of an arrest in flagrante.
  confirmArrest: { who: JUDGES, stages: DETAINED },
  extendDetention: { who: JUDGES, stages: DETAINED },
  endDetention: { who: JUDGES, stages: DETAINED },
  recordSeizure: { who: { POLICE: 'any' }, stages: AFTER_RAID },
  // Exhibits pass through court clerks too.
  transferCustody: { who: { POLICE: 'any', PROSECUTION: 'any', JUDICIARY: 'any' }, stages: DETAINED },
  rescueMinor: { who: { POLICE: 'any', CHILD_PROTECTION: 'any' }, stages: ['INVESTIGATION', ...AFTER_RAID, 'TRIAL'] },
  // Charges need an identified suspect, not an arrest: suspects who fled a raid are charged too.
  fileCharges: { who: PROSECUTORS, stages: ['INVESTIGATION', 'OPERATION', 'DETENTION', 'PROSECUTION'] },
  openTrial: { who: JUDGES, stages: ['PROSECUTION'] },
  scheduleHearing: { who: COURT, stages: ['DETENTION', 'PROSECUTION', ...JUDGING] },
  recordHearing: { who: COURT, stages: ['DETENTION', 'PROSECUTION', ...JUDGING] },
  // In JUDGMENT too: a severed defendant is tried later, a retrial gives a new verdict.
  recordVerdict: { who: JUDGES, stages: JUDGING },
  severDefendant: { who: JUDGES, stages: ['PROSECUTION', ...JUDGING] },
  // The prosecution lodges its own appeals; the court registers the defence's.
  lodgeAppeal: { who: { PROSECUTION: 'any', ...COURT }, stages: JUDGING },
  decideAppeal: { who: JUDGES, stages: JUDGING },
  waiveAppeal: { who: COURT, stages: JUDGING },
  closeCase: { who: PROSECUTORS, stages: ['JUDGMENT'] },
  archiveCase: { who: PROSECUTORS, stages: ['INTAKE', 'INVESTIGATION'] },
} as const satisfies Record<string, Permission>;

export type CaseCommandName = keyof typeof PERMISSIONS;

/** The roles of `agency` that `who` lets act, or none. */
function allowedRoles(who: Who, agency: Agency): readonly AgencyRole[] {
  const roles = who[agency];
  if (roles === undefined) return [];
  return roles === 'any' ? rolesOf(agency) : roles;
}

export function isAllowed(who: Who, actor: Pick<Actor, 'agency' | 'roles'>): boolean {
  const allowed = allowedRoles(who, actor.agency);
  return actor.roles.some((r) => (allowed as readonly string[]).includes(r));
}

/** "a judge (JUDICIARY)", "PROSECUTION or POLICE": who may act, in plain words. */
export function describeWho(who: Who): string {
  return (Object.entries(who) as [Agency, readonly AgencyRole[] | 'any'][])
    .map(([agency, roles]) =>
      roles === 'any' ? agency : `${roles.map((r) => ROLE_NAMES[r]).join(' or ')} (${agency})`,
    )
    .join(' or ');
}

/** Refuses an actor the matrix does not allow, saying who may. */
export function checkAllowed(what: string, who: Who, actor: Pick<Actor, 'agency' | 'roles'>): void {
  if (isAllowed(who, actor)) return;
  const yours = actor.roles.length > 0 ? actor.roles.map((r) => ROLE_NAMES[r]).join(', ') : 'no role';
  reject('NOT_PERMITTED', `${what}: only ${describeWho(who)} may do this (you: ${actor.agency}, ${yours})`);
}
