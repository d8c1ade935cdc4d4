/**
 * The case command registry and the two entry points the workflow uses: `validateCaseCommand`
 * (pure; runs in the Update validator, so a refusal never reaches history) and `executeCaseCommand`.
 */
import { z } from 'zod';
import { Actor } from '../agencies';
import { CommandRejected, reject } from '../errors';
import { PERMISSIONS, type CaseCommandName } from '../permissions';
import type { CaseState, Deadline } from '../state';
import { onTaskDeadline } from '../task-ops';
import { FINAL_STAGES } from '../stages';
import type { CommandContext, CommandDef, Outcome } from './define';
import { onDetentionDeadline, endDetention, extendDetention, recordArrest } from './detention';
import {
  addLocation,
  addSuspect,
  addVictim,
  addWitness,
  archiveCase,
  assignProsecutor,
  startInvestigation,
} from './investigation';
import { planRaid, recordSeizure, reportLocation, rescueMinor, transferCustody } from './operation';
import { closeCase, fileCharges, openTrial, recordVerdict, scheduleHearing } from './trial';
import { approveWarrant, denyWarrant, onWarrantExpiry, requestWarrant } from './warrants';

export const CASE_COMMANDS: Record<CaseCommandName, CommandDef> = {
  startInvestigation,
  assignProsecutor,
  addSuspect,
  addVictim,
  addWitness,
  addLocation,
  requestWarrant,
  approveWarrant,
  denyWarrant,
  planRaid,
  reportLocation,
  recordArrest,
  extendDetention,
  endDetention,
  recordSeizure,
  transferCustody,
  rescueMinor,
  fileCharges,
  openTrial,
  scheduleHearing,
  recordVerdict,
  closeCase,
  archiveCase,
};

export const CASE_COMMAND_NAMES = Object.keys(CASE_COMMANDS) as CaseCommandName[];

/** What every command Update carries. */
export const CommandInput = z.object({ actor: Actor, args: z.unknown() }).strict();
export type CommandInput = z.infer<typeof CommandInput>;

export function isCaseCommand(name: string): name is CaseCommandName {
  return Object.prototype.hasOwnProperty.call(CASE_COMMANDS, name);
}

/** Turns a zod failure into a refusal naming the field and the rule. */
export function parseOrReject<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || prefix || 'arguments';
  return reject('INVALID_ARGUMENTS', `${field}: ${issue.message}`);
}

/** Checks permission, stage, arguments and preconditions. Throws CommandRejected; never mutates. */
export function validateCaseCommand(
  state: CaseState,
  name: string,
  input: unknown,
  now: number,
): { args: unknown; ctx: CommandContext; def: CommandDef } {
  if (!isCaseCommand(name)) return reject('INVALID_ARGUMENTS', `command: unknown command ${name}`);
  const { actor, args: raw } = parseOrReject(CommandInput, input);
  const permission = PERMISSIONS[name];
  if (!permission.agencies.includes(actor.agency as never)) {
    reject('NOT_PERMITTED', `${name}: ${actor.agency} may not do this (allowed: ${permission.agencies.join(', ')})`);
  }
  if (!permission.stages.includes(state.stage as never)) {
    const why = FINAL_STAGES.includes(state.stage) ? 'the case is over' : `allowed in ${permission.stages.join(', ')}`;
    reject('WRONG_STAGE', `${name}: not allowed while the case is ${state.stage} (${why})`);
  }
  const def = CASE_COMMANDS[name];
  const args = parseOrReject(def.args, raw ?? {}, 'args');
  const ctx = { now, actor };
  def.check?.(state, args, ctx);
  return { args, ctx, def };
}

export function executeCaseCommand(state: CaseState, name: string, input: unknown, now: number): Outcome {
  const { args, ctx, def } = validateCaseCommand(state, name, input, now);
  const outcome = def.apply(state, args, ctx);
  state.timeline.push({ at: new Date(now).toISOString(), type: name, by: ctx.actor, ...refOf(outcome) });
  return outcome;
}

function refOf(outcome: Outcome): { ref?: string } {
  const ref = Object.entries(outcome.result).find(([k, v]) => k.endsWith('Ref') && typeof v === 'string');
  return ref ? { ref: ref[1] as string } : {};
}

export function onCaseDeadline(state: CaseState, deadline: Deadline, now: number): void {
  switch (deadline.kind) {
    case 'task-reminder':
    case 'task-due':
      return onTaskDeadline(state, deadline, now);
    case 'detention-warning':
    case 'detention-expiry':
      return onDetentionDeadline(state, deadline, now);
    case 'warrant-expiry':
      return onWarrantExpiry(state, deadline, now);
  }
}

export { CommandRejected };
export type { Effect, Outcome, RaidStart, ProtectionStart } from './define';
