/**
 * The commands every task-owning workflow (case, raid, minor's protection) accepts: claim a task, give a
 * claimed task back (unclaim), complete it. Pure, like the case commands: validate in the Update validator,
 * execute in the handler.
 */
import { rolesOf, type Actor } from './actors';
import type { TaskCommandName } from './command-args';
import { checkEnvelope } from './commands/decide';
import { reject } from './errors';
import { parseEnvelope, parseTaskArgs } from './input-schemas';
import { commandFingerprint, earlierResult, remember } from './recent-commands';
import type { TaskOwnerState } from './state';
import { taskKindSpec } from './task-kinds';
import { checkTaskActor, claimTask, completeTask, unclaimTask } from './task-ops';
import type { HumanTask } from './tasks';
import { assertVerified } from './unverified';

export type { TaskCommandName } from './command-args';
export const TASK_COMMAND_NAMES: readonly TaskCommandName[] = ['claimTask', 'unclaimTask', 'completeTask'];

type TaskArgs = { taskId: string; outcome?: string };

export type ValidatedTaskCommand = { kind: 'run'; actor: Actor; args: TaskArgs } | { kind: 'repeat'; result: unknown };

/** Checks a task command: envelope, the actor's right to the task, the task's state. Never mutates. */
export function validateTaskCommand(
  state: TaskOwnerState,
  name: TaskCommandName,
  input: unknown,
): ValidatedTaskCommand {
  const envelope = checkEnvelope(state, name, input);
  if (envelope.repeat) return { kind: 'repeat', result: envelope.repeat.result };
  const { actor, args: raw } = envelope.input;
  const args = parseTaskArgs(name, raw ?? {});
  if (!actor.roles.some((r) => (rolesOf(actor.agency) as readonly string[]).includes(r))) {
    reject('NOT_PERMITTED', `${name}: only staff of ${actor.agency} with a role of that agency may work its tasks`);
  }
  const task = checkTaskActor(state, args.taskId, actor);
  switch (name) {
    case 'claimTask':
      if (!actor.staffId)
        reject('NOT_PERMITTED', 'claimTask: only a person can claim a task (the token has no staff id)');
      if (task.status === 'claimed' && task.staffId !== actor.staffId) {
        reject('CONFLICT', `taskId: task ${task.id} is already claimed by staff ${task.staffId}`);
      }
      break;
    case 'unclaimTask':
      // Only the person who claimed a task gives it back: nobody takes a colleague's work from them.
      if (task.status !== 'claimed') reject('CONFLICT', `taskId: task ${task.id} is not claimed`);
      if (task.staffId !== actor.staffId) {
        reject(
          'NOT_PERMITTED',
          `taskId: task ${task.id} is claimed by staff ${task.staffId}: only they can unclaim it`,
        );
      }
      break;
    case 'completeTask': {
      const resolvedBy = taskKindSpec(task.kind)?.resolvedBy;
      if (resolvedBy) {
        reject('PRECONDITION', `taskId: task ${task.id} closes when ${resolvedBy.join(' or ')} is done, not by hand`);
      }
      break;
    }
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
  return { kind: 'run', actor, args };
}

/** Runs a task command the validator accepted (see executeCaseCommand: the handler only applies). */
export function executeTaskCommand(
  state: TaskOwnerState,
  name: TaskCommandName,
  input: unknown,
  now: number,
): { task: HumanTask; repeated: boolean } {
  const { actor, args: raw, commandId } = parseEnvelope(assertVerified(input));
  const fingerprint = commandFingerprint(name, actor, raw);
  const earlier = earlierResult(state, commandId, fingerprint);
  if (earlier) return { task: earlier.result as HumanTask, repeated: true };
  const { taskId, outcome } = parseTaskArgs(name, raw ?? {});
  const task = runTaskCommand(state, name, taskId, outcome, actor, now);
  const result = { ...task };
  if (commandId) remember(state, { id: commandId, fingerprint, result });
  return { task: result, repeated: false };
}

function runTaskCommand(
  state: TaskOwnerState,
  name: TaskCommandName,
  taskId: string,
  outcome: string | undefined,
  actor: Actor,
  now: number,
): HumanTask {
  switch (name) {
    case 'claimTask':
      return claimTask(state, taskId, actor, now);
    case 'unclaimTask':
      return unclaimTask(state, taskId, now);
    case 'completeTask':
      return completeTask(state, taskId, outcome, now);
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

/** One task Update, start to end, as one pure call (see decideCaseCommand). */
export function decideTaskCommand(state: TaskOwnerState, name: TaskCommandName, input: unknown, now: number) {
  const validated = validateTaskCommand(state, name, input);
  if (validated.kind === 'repeat') return { task: validated.result as HumanTask, repeated: true };
  return executeTaskCommand(state, name, input, now);
}
