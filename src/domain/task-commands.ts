/** The two commands every task-owning workflow accepts: claim a task, complete it. */
import { z } from 'zod';
import { rolesOf, type Actor } from './agencies';
import { checkEnvelope, CommandInput, parseOrReject } from './commands';
import { reject } from './errors';
import { commandFingerprint, remember } from './idempotency';
import type { TaskOwnerState } from './state';
import { assertVerified } from './unverified';
import { taskKindSpec } from './task-kinds';
import { checkTaskActor, claimTask, completeTask } from './task-ops';
import { TaskId, type HumanTask } from './tasks';

export const TASK_COMMANDS = {
  claimTask: {
    summary: 'Claim an open task (a person: the token carries a staff id).',
    args: z.object({ taskId: TaskId }).strict(),
  },
  completeTask: {
    summary: 'Complete a task, with an outcome code such as accepted, examined, residential-care-centre.',
    args: z
      .object({
        taskId: TaskId,
        outcome: z
          .string()
          .regex(/^[a-z0-9-]{1,64}$/, 'must be a short code of lower-case letters, digits and dashes')
          .optional(),
      })
      .strict(),
  },
} as const;
export type TaskCommandName = keyof typeof TASK_COMMANDS;
type TaskArgs = { taskId: string; outcome?: string };

export function isTaskCommand(name: string): name is TaskCommandName {
  return name === 'claimTask' || name === 'completeTask';
}

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
  const args = parseOrReject(TASK_COMMANDS[name].args, raw ?? {}, 'args') as TaskArgs;
  if (!actor.roles.some((r) => (rolesOf(actor.agency) as readonly string[]).includes(r))) {
    reject('NOT_PERMITTED', `${name}: only staff of ${actor.agency} with a role of that agency may work its tasks`);
  }
  const task = checkTaskActor(state, args.taskId, actor);
  if (name === 'claimTask') {
    if (!actor.staffId) reject('NOT_PERMITTED', 'claimTask: only a person can claim a task (the token has no staff id)');
    if (task.status === 'claimed' && task.staffId !== actor.staffId) {
      reject('CONFLICT', `taskId: task ${task.id} is already claimed by staff ${task.staffId}`);
    }
  } else {
    const resolvedBy = taskKindSpec(task.kind)?.resolvedBy;
    if (resolvedBy) {
      reject('PRECONDITION', `taskId: task ${task.id} closes when ${resolvedBy.join(' or ')} is done, not by hand`);
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
  const { actor, args: raw, commandId } = CommandInput.parse(assertVerified(input));
  const fingerprint = commandFingerprint(name, actor, raw);
  const earlier = commandId ? state.recentCommands.find((c) => c.id === commandId && c.fingerprint === fingerprint) : undefined;
  if (earlier) return { task: earlier.result as HumanTask, repeated: true };
  const { taskId, outcome } = TASK_COMMANDS[name].args.parse(raw ?? {}) as TaskArgs;
  const task = name === 'claimTask' ? claimTask(state, taskId, actor, now) : completeTask(state, taskId, outcome, now);
  const result = { ...task };
  if (commandId) remember(state, { id: commandId, fingerprint, result });
  return { task: result, repeated: false };
}

/** One task Update, start to end, as one pure call (see decideCaseCommand). */
export function decideTaskCommand(state: TaskOwnerState, name: TaskCommandName, input: unknown, now: number) {
  const validated = validateTaskCommand(state, name, input);
  if (validated.kind === 'repeat') return { task: validated.result as HumanTask, repeated: true };
  return executeTaskCommand(state, name, input, now);
}
