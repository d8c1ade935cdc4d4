/** How a case command is defined: argument schema, preconditions (pure, for the validator) and the
 * state change (for the handler). Permissions and stages live in ../permissions.ts. */
import type { z } from 'zod';
import type { Actor, Agency } from '../agencies';
import { reject } from '../errors';
import type { DeadlinePolicy } from '../policy';
import { canMove, type Stage } from '../stages';
import type { CaseState, Clearances } from '../state';
import { emit } from '../outbox';

export interface CommandContext {
  now: number;
  actor: Actor;
}

export interface RaidStart {
  caseId: string;
  raidRef: string;
  parentWorkflowId: string;
  workflowId: string;
  locationRefs: string[];
  startsAt: string;
  policy: DeadlinePolicy;
  restrictedAgencies: Agency[];
  /** Fixed when the raid starts: a later clearance does not reach a running raid. */
  clearedStaff?: Clearances;
}

export interface ProtectionStart {
  caseId: string;
  victimRef: string;
  workflowId: string;
  ageMonths?: number;
  custodyRef: string;
  takenAt: string;
  policy: DeadlinePolicy;
  restrictedAgencies: Agency[];
  clearedStaff?: Clearances;
}

/** Side effects a command asks of its workflow, beyond state and events. */
export type Effect =
  | { kind: 'start-raid'; raid: RaidStart }
  | { kind: 'report-to-raid'; workflowId: string; locationRef: string }
  | { kind: 'stop-raid'; workflowId: string }
  | { kind: 'start-protection'; protection: ProtectionStart };

export interface Outcome {
  result: Record<string, unknown>;
  effects?: Effect[];
}

export interface CommandDef<A extends z.ZodType = z.ZodType> {
  summary: string;
  args: A;
  /** Preconditions beyond permission and stage. Must not change state: validators call it. */
  check?: (state: CaseState, args: z.output<A>, ctx: CommandContext) => void;
  apply: (state: CaseState, args: z.output<A>, ctx: CommandContext) => Outcome;
}

export function command<A extends z.ZodType>(def: CommandDef<A>): CommandDef<A> {
  return def;
}

export function requireRef<T>(records: Record<string, T>, ref: string, field: string, what: string): T {
  const found = records[ref];
  if (found === undefined) return reject('UNKNOWN_REFERENCE', `${field}: no ${what} ${ref} in this case`);
  return found;
}

export function moveStage(state: CaseState, to: Stage, now: number): void {
  if (state.stage === to) return;
  if (!canMove(state.stage, to)) throw new Error(`stage machine: ${state.stage} cannot move to ${to}`);
  const from = state.stage;
  state.stage = to;
  const at = new Date(now).toISOString();
  state.stageHistory.push({ stage: to, at });
  emit(state, 'stage-changed', { from, to }, now);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
