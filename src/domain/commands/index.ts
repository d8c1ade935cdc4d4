/**
 * The case command registry and the two entry points the workflow uses: `validateCaseCommand`
 * (pure; runs in the Update validator, so a refusal never reaches history) and `executeCaseCommand`.
 */
import { z } from 'zod';
import { checkAccess, type AccessFacts } from '../access';
import { Actor } from '../agencies';
import { CommandRejected, reject } from '../errors';
import { commandFingerprint, CommandId, recall, remember } from '../idempotency';
import { attribute } from '../outbox';
import { checkAllowed, PERMISSIONS, type CaseCommandName, type Permission } from '../permissions';
import type { CaseState, Deadline, TaskOwnerState } from '../state';
import { assertVerified, isUnverified } from '../unverified';
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
  clearStaff,
  revokeClearance,
  startInvestigation,
} from './investigation';
import { planRaid, recordSeizure, reportLocation, rescueMinor, transferCustody } from './operation';
import { closeCase, fileCharges, openTrial, recordVerdict, scheduleHearing } from './trial';
import { approveWarrant, denyWarrant, onWarrantExpiry, requestWarrant } from './warrants';

export const CASE_COMMANDS: Record<CaseCommandName, CommandDef> = {
  startInvestigation,
  assignProsecutor,
  clearStaff,
  revokeClearance,
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

/**
 * What every command Update carries. The gateway builds it: `actor` from the caller's verified access
 * token, never from the request. `commandId` is required of new commands (validateCaseCommand); the
 * schema leaves it optional only so that histories recorded before it existed still replay.
 */
export const CommandInput = z.object({ actor: Actor, args: z.unknown(), commandId: CommandId.optional() }).strict();
export type CommandInput = z.input<typeof CommandInput>;

/** Arguments larger than this are refused: every event a command emits is bounded by its arguments. */
export const MAX_ARGS_CHARS = 64 * 1024;

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

/** A command the validator accepted: to run, or a retry of one that ran (its first result). */
export type Validated =
  | { kind: 'run'; def: CommandDef; args: unknown; ctx: CommandContext; commandId: string; fingerprint: string }
  | { kind: 'repeat'; result: unknown };

/**
 * The envelope checks every command and task command shares, in the order that reveals least: an
 * unauthenticated payload, a malformed envelope, a caller shut out of the case (the answer a missing
 * case gets), then a retry of an earlier command id. Pure: validators call it.
 */
export function checkEnvelope(
  facts: AccessFacts & Pick<TaskOwnerState, 'recentCommands'>,
  name: string,
  input: unknown,
): { input: z.output<typeof CommandInput>; commandId: string; fingerprint: string; repeat?: { result: unknown } } {
  if (isUnverified(input)) reject('NOT_PERMITTED', 'payload refused: not encrypted with a key of this deployment');
  const parsed = parseOrReject(CommandInput, input);
  if (!parsed.commandId) reject('INVALID_ARGUMENTS', 'commandId: required (the client generates one; a retry reuses it)');
  checkAccess(facts, parsed.actor);
  checkArgsSize(parsed.args);
  const fingerprint = commandFingerprint(name, parsed.actor, parsed.args);
  const repeat = recall(facts, parsed.commandId, fingerprint);
  return { input: parsed, commandId: parsed.commandId, fingerprint, ...(repeat ? { repeat } : {}) };
}

/** Deeper than any command's arguments nest; deeper input is refused before anything walks it. */
export const MAX_ARGS_DEPTH = 16;

/** Arguments must be plain JSON of bounded size and depth: what a command needs, and no more. */
function checkArgsSize(args: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(args ?? {});
  } catch {
    reject('INVALID_ARGUMENTS', 'args: must be plain JSON');
  }
  if (text === undefined) return;
  if (text.length > MAX_ARGS_CHARS) reject('INVALID_ARGUMENTS', `args: larger than ${MAX_ARGS_CHARS} characters`);
  if (jsonDepth(text) > MAX_ARGS_DEPTH) reject('INVALID_ARGUMENTS', `args: nested deeper than ${MAX_ARGS_DEPTH} levels`);
}

/** How deep JSON text nests, by one scan (no recursion, whatever the input). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

/** Checks envelope, permission, stage, arguments and preconditions. Throws CommandRejected; never mutates. */
export function validateCaseCommand(state: CaseState, name: string, input: unknown, now: number): Validated {
  if (!isCaseCommand(name)) return reject('INVALID_ARGUMENTS', `command: unknown command ${name}`);
  const envelope = checkEnvelope(state, name, input);
  if (envelope.repeat) return { kind: 'repeat', result: envelope.repeat.result };
  const { actor, args: raw } = envelope.input;
  const permission: Permission = PERMISSIONS[name];
  checkAllowed(name, permission.who, actor);
  if (!permission.stages.includes(state.stage)) {
    const why = FINAL_STAGES.includes(state.stage) ? 'the case is over' : `allowed in ${permission.stages.join(', ')}`;
    reject('WRONG_STAGE', `${name}: not allowed while the case is ${state.stage} (${why})`);
  }
  const def = CASE_COMMANDS[name];
  const args = parseOrReject(def.args, raw ?? {}, 'args');
  const ctx = { now, actor };
  def.check?.(state, args, ctx);
  return { kind: 'run', def, args, ctx, commandId: envelope.commandId, fingerprint: envelope.fingerprint };
}

/**
 * Runs a command the validator accepted. Rules are checked once, in the validator, which Temporal runs
 * just before this handler against the same state; the handler only applies. That keeps histories
 * replayable when rules change, since validators do not run on replay.
 */
export function executeCaseCommand(state: CaseState, name: CaseCommandName, input: unknown, now: number): Outcome {
  const { actor, args: raw, commandId } = CommandInput.parse(assertVerified(input));
  const fingerprint = commandFingerprint(name, actor, raw);
  const earlier = commandId ? state.recentCommands.find((c) => c.id === commandId && c.fingerprint === fingerprint) : undefined;
  if (earlier) return { result: earlier.result as Record<string, unknown> };
  const def = CASE_COMMANDS[name];
  const args = def.args.parse(raw ?? {});
  const firstNewEvent = state.counters.event + 1;
  const outcome = def.apply(state, args, { now, actor });
  attribute(state.outbox, firstNewEvent, actor);
  state.timeline.push({ at: new Date(now).toISOString(), type: name, by: actor, ...refOf(outcome) });
  if (commandId) remember(state, { id: commandId, fingerprint, result: outcome.result });
  return outcome;
}

/** One Update, start to end, as one pure call: validate, then run (or recall a retried command's result). */
export function decideCaseCommand(state: CaseState, name: string, input: unknown, now: number): Outcome {
  const validated = validateCaseCommand(state, name, input, now);
  if (validated.kind === 'repeat') return { result: validated.result as Record<string, unknown> };
  return executeCaseCommand(state, name as CaseCommandName, input, now);
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
