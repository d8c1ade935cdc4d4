/**
 * Conflict of interest, enforced: while an agency is restricted on a case (one of its officials, current
 * or former, is a suspect), its members neither read nor act on the case, except staff the prosecution
 * cleared by name (a vetted unit). To them the case does not exist: the answer is the one a case that
 * does not exist gets, so nothing reveals the restriction.
 */
import type { Actor, Agency } from './actors';
import { reject } from './errors';
import type { Clearances, TaskOwnerState } from './state';

export interface AccessFacts {
  caseId: string;
  restrictedAgencies: readonly Agency[];
  clearedStaff: Clearances;
  /** The lead prosecutor is always cleared: someone must be able to run the case. */
  leadProsecutor?: { staffId: string };
}

function isCleared(facts: AccessFacts, actor: Pick<Actor, 'agency' | 'staffId'>): boolean {
  if (!actor.staffId) return false;
  if (actor.agency === 'PROSECUTION' && facts.leadProsecutor?.staffId === actor.staffId) return true;
  return facts.clearedStaff[actor.agency]?.includes(actor.staffId) ?? false;
}

/** True when the actor's agency is restricted on the case and the actor is not cleared by name. */
export function isShutOut(facts: AccessFacts, actor: Pick<Actor, 'agency' | 'staffId'>): boolean {
  return facts.restrictedAgencies.includes(actor.agency) && !isCleared(facts, actor);
}

/** The message every "no such case" answer uses, so a shut-out caller cannot tell the difference. */
export function noSuchCase(caseId: string): string {
  return `no case ${caseId}`;
}

export function checkAccess(facts: AccessFacts, actor: Pick<Actor, 'agency' | 'staffId'>): void {
  if (isShutOut(facts, actor)) reject('NOT_FOUND', noSuchCase(facts.caseId));
}

/** The clearances captured into an event: only those of agencies restricted when it was emitted. */
export function clearancesOf(state: Pick<TaskOwnerState, 'restrictedAgencies' | 'clearedStaff'>): Clearances {
  const out: Clearances = {};
  for (const agency of state.restrictedAgencies) out[agency] = [...(state.clearedStaff[agency] ?? [])];
  return out;
}
