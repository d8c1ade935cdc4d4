/**
 * The two entry points a case workflow uses for a command: `validateCaseCommand` (pure; runs in the
 * Update validator, so a refusal never reaches history) and `executeCaseCommand` (the handler: makes
 * the command's declared stage move, applies it, records it). `decideCaseCommand` is both, for tests.
 */
import { checkAccess, type AccessFacts } from '../access';
import type { ParsedCommandInput } from '../command-args';
import { reject } from '../errors';
import { parseCaseArgs, parseEnvelope, parseRecordedCaseArgs } from '../input-schemas';
import { attribute, emit } from '../outbox';
import { checkAllowed, PERMISSIONS, type CaseCommandName, type Permission } from '../permissions';
import { commandFingerprint, earlierResult, recall, remember } from '../recent-commands';
import { CURRENT_RULES, type Rules } from '../rule-changes';
import { isFinal, type Stage } from '../stages';
import type { CaseState, Deadline, TaskOwnerState } from '../state';
import { onTaskDeadline } from '../task-ops';
import { iso } from '../time';
import { recordSystemEvents } from '../timeline';
import { assertVerified, isUnverified } from '../unverified';
import type { CommandContext, CommandDef, Outcome } from './define';
import { onDetentionDeadline } from './detention';
import { onAppealWindowClosed } from './judgment';
import { commandDef, isCaseCommand } from './registry';
import { onWarrantExpiry } from './warrants';

/** Arguments larger than this are refused: every event a command emits is bounded by its arguments. */
const MAX_ARGS_CHARS = 64 * 1024;
/** Deeper than any command's arguments nest; deeper input is refused before anything walks it. */
const MAX_ARGS_DEPTH = 16;

/** A command the validator accepted: to run, or a retry of one that ran (its first result). */
export type Validated =
  | { kind: 'run'; def: CommandDef; args: unknown; ctx: CommandContext; commandId: string; fingerprint: string }
  | { kind: 'repeat'; result: unknown };

export interface Envelope {
  input: ParsedCommandInput;
  commandId: string;
  fingerprint: string;
  repeat?: { result: unknown };
}

/**
 * The envelope checks every command and task command shares, in the order that reveals least: an
 * unauthenticated payload, a malformed envelope, a caller shut out of the case (the answer a missing
 * case gets), then a retry of an earlier command id. Pure: validators call it.
 */
export function checkEnvelope(
  facts: AccessFacts & Pick<TaskOwnerState, 'recentCommands'>,
  name: string,
  input: unknown,
): Envelope {
  if (isUnverified(input)) reject('NOT_PERMITTED', 'payload refused: not encrypted with a key of this deployment');
  const parsed = parseEnvelope(input);
  if (!parsed.commandId)
    reject('INVALID_ARGUMENTS', 'commandId: required (the client generates one; a retry reuses it)');
  checkAccess(facts, parsed.actor);
  checkArgsSize(parsed.args);
  const fingerprint = commandFingerprint(name, parsed.actor, parsed.args);
  const repeat = recall(facts, parsed.commandId, fingerprint);
  return { input: parsed, commandId: parsed.commandId, fingerprint, ...(repeat ? { repeat } : {}) };
}

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
  if (jsonDepth(text) > MAX_ARGS_DEPTH)
    reject('INVALID_ARGUMENTS', `args: nested deeper than ${MAX_ARGS_DEPTH} levels`);
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
    else if (c === '{' || c === '[') {
      depth += 1;
      if (depth > max) max = depth;
    } else if (c === '}' || c === ']') depth--;
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
  checkStage(name, permission, state.stage);
  const def = commandDef(name);
  const args = parseCaseArgs(name, raw ?? {});
  // Validators apply the current rules: they never run on replay (see rule-changes.ts).
  const ctx: CommandContext = { now, actor, rules: CURRENT_RULES };
  def.check?.(state, args, ctx);
  return { kind: 'run', def, args, ctx, commandId: envelope.commandId, fingerprint: envelope.fingerprint };
}

function checkStage(name: CaseCommandName, permission: Permission, stage: Stage): void {
  if (permission.stages.includes(stage)) return;
  const why = isFinal(stage) ? 'the case is over' : `allowed in ${permission.stages.join(', ')}`;
  reject('WRONG_STAGE', `${name}: not allowed while the case is ${stage} (${why})`);
}

/**
 * Runs a command the validator accepted. Rules are checked once, in the validator, which Temporal runs
 * just before this handler against the same state; the handler only applies, and accepts the arguments
 * histories recorded under older rules hold (RECORDED_CASE_ARGS). That keeps histories replayable when
 * rules change, since validators do not run on replay; `rules` says which changed rules apply (the
 * workflow answers with `patched`).
 */
export function executeCaseCommand(
  state: CaseState,
  name: CaseCommandName,
  input: unknown,
  now: number,
  rules: Rules = CURRENT_RULES,
): Outcome {
  const { actor, args: raw, commandId } = parseEnvelope(assertVerified(input));
  const fingerprint = commandFingerprint(name, actor, raw);
  const earlier = earlierResult(state, commandId, fingerprint);
  if (earlier) return { result: earlier.result as Record<string, unknown> };
  const def = commandDef(name);
  const args = parseRecordedCaseArgs(name, raw ?? {});
  const ctx: CommandContext = { now, actor, rules };
  const firstNewEvent = state.counters.event + 1;
  const move = def.move;
  if (move?.from.includes(state.stage) && (move.when?.(state, args, ctx) ?? true)) moveStage(state, move.to, now);
  const outcome = def.apply(state, args, ctx);
  attribute(state.outbox, firstNewEvent, actor);
  state.timeline.push({
    at: iso(now),
    type: name,
    by: actor,
    ...timelineRef(def, outcome),
    ...(def.detail ? { detail: def.detail(args) } : {}),
  });
  if (commandId) remember(state, { id: commandId, fingerprint, result: outcome.result });
  return outcome;
}

/** One Update, start to end, as one pure call: validate, then run (or recall a retried command's result). */
export function decideCaseCommand(state: CaseState, name: string, input: unknown, now: number): Outcome {
  const validated = validateCaseCommand(state, name, input, now);
  if (validated.kind === 'repeat') return { result: validated.result as Record<string, unknown> };
  return executeCaseCommand(state, name as CaseCommandName, input, now);
}

function moveStage(state: CaseState, to: Stage, now: number): void {
  const from = state.stage;
  state.stage = to;
  state.stageHistory.push({ stage: to, at: iso(now) });
  emit(state, 'stage-changed', { from, to }, now);
}

/** The reference a timeline entry shows: the result field the command declares. */
function timelineRef(def: CommandDef, outcome: Outcome): { ref?: string } {
  const ref = def.ref === undefined ? undefined : outcome.result[def.ref];
  return typeof ref === 'string' ? { ref } : {};
}

/** A deadline of the case fires: what it does, and on the timeline what the system did (source: system). */
export function onCaseDeadline(state: CaseState, deadline: Deadline, now: number, rules: Rules = CURRENT_RULES): void {
  const firstNewEvent = state.counters.event + 1;
  fireDeadline(state, deadline, now, rules);
  recordSystemEvents(state, firstNewEvent, now);
}

function fireDeadline(state: CaseState, deadline: Deadline, now: number, rules: Rules): void {
  switch (deadline.kind) {
    case 'task-reminder':
    case 'task-due':
      return onTaskDeadline(state, deadline, now);
    case 'detention-warning':
    case 'detention-expiry':
      return onDetentionDeadline(state, deadline, now, rules);
    case 'warrant-expiry':
      return onWarrantExpiry(state, deadline, now);
    case 'appeal-window':
      return onAppealWindowClosed(state, deadline, now);
    default: {
      const _exhaustive: never = deadline.kind;
      return _exhaustive;
    }
  }
}
