/** The two commands every task-owning workflow accepts: claim a task, complete it. */
import { z } from 'zod';
import type { Actor } from './agencies';
import { CommandInput, parseOrReject } from './commands';
import { reject } from './errors';
import type { TaskOwnerState } from './state';
import { checkTaskActor, claimTask, completeTask } from './task-ops';
import { TaskId, type HumanTask } from './tasks';

export const TASK_COMMANDS = {
  claimTask: {
    summary: 'Claim an open task for a staff member (--as AGENCY:staffId).',
    args: z.object({ taskId: TaskId }).strict(),
  },
  completeTask: {
    summary: 'Complete a task, with an outcome code such as approved, examined, shelter-placement.',
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

export function isTaskCommand(name: string): name is TaskCommandName {
  return name === 'claimTask' || name === 'completeTask';
}

export function validateTaskCommand(
  state: TaskOwnerState,
  name: TaskCommandName,
  input: unknown,
): { actor: Actor; taskId: string; outcome?: string } {
  const { actor, args } = parseOrReject(CommandInput, input);
  const parsed = parseOrReject(TASK_COMMANDS[name].args, args ?? {}, 'args') as { taskId: string; outcome?: string };
  const task = checkTaskActor(state, parsed.taskId, actor);
  if (name === 'claimTask' && !actor.staffId) reject('INVALID_ARGUMENTS', '--as: claiming a task needs AGENCY:staffId');
  if (name === 'claimTask' && task.status === 'claimed' && task.staffId !== actor.staffId) {
    reject('CONFLICT', `taskId: task ${task.id} is already claimed by staff ${task.staffId}`);
  }
  return { actor, ...parsed };
}

export function executeTaskCommand(
  state: TaskOwnerState,
  name: TaskCommandName,
  input: unknown,
  now: number,
): HumanTask {
  const { actor, taskId, outcome } = validateTaskCommand(state, name, input);
  return name === 'claimTask' ? claimTask(state, taskId, actor, now) : completeTask(state, taskId, outcome, now);
}
