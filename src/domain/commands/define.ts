/**
 * How a case command is defined: the stage move it makes, the reference it is about, its preconditions
 * (pure, for the validator) and its state change (for the handler). Who may send it, and in which
 * stages, is the permission matrix (../permissions.ts); its arguments' schema is in ../command-args.ts.
 */
import type { Actor, Agency } from '../actors';
import type { CaseArgs, RecordedCaseArgs } from '../command-args';
import { reject } from '../errors';
import type { DeadlinePolicy } from '../policy';
import type { CaseCommandName } from '../permissions';
import type { Rules } from '../rule-changes';
import type { Stage } from '../stages';
import type { CaseState, Clearances } from '../state';

export interface CommandContext {
  now: number;
  actor: Actor;
  /** Which changed rules apply (a replay of an older history says no: see rule-changes.ts). */
  rules: Rules;
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

/**
 * A stage move: a command run while the case is in one of `from` moves it to `to` (in any other stage of
 * its permission row it makes no move), when `when` holds if given (a verdict moves the case on only once
 * every defendant is decided). The lifecycle is the union of these declarations.
 */
export interface StageMove<R = never> {
  from: readonly Stage[];
  to: Stage;
  /** Asked before the command applies, of the state it finds and the arguments it will apply. */
  when?: (state: CaseState, args: R, ctx: CommandContext) => boolean;
}

/** `A`: the arguments as the validator checks them; `R`: as the handler may receive them (recorded ones too). */
export interface CommandDef<A = unknown, R = A> {
  summary: string;
  /** The stage move the command makes; the executor makes it before `apply`, so `stage-changed` comes first. */
  move?: StageMove<R>;
  /** The field of the result that names what the command is about: the timeline entry's reference. */
  ref?: string;
  /** Codes and references the timeline entry shows besides (never personal data). */
  detail?: (args: R) => Record<string, string | number | boolean>;
  /** Preconditions beyond permission and stage. Must not change state: validators call it. */
  check?: (state: CaseState, args: A, ctx: CommandContext) => void;
  apply: (state: CaseState, args: R, ctx: CommandContext) => Outcome;
}

/** Defines the command `name`, typed by its arguments' schemas. */
export function command<N extends CaseCommandName>(
  _name: N,
  def: CommandDef<CaseArgs<N>, RecordedCaseArgs<N>>,
): CommandDef<CaseArgs<N>, RecordedCaseArgs<N>> {
  return def;
}

export function requireRef<T>(records: Record<string, T>, ref: string, field: string, what: string): T {
  const found = Object.prototype.hasOwnProperty.call(records, ref) ? records[ref] : undefined;
  if (found === undefined) return reject('UNKNOWN_REFERENCE', `${field}: no ${what} ${ref} in this case`);
  return found;
}
