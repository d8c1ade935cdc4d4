/**
 * The task commands as clients see them: a summary and the zod schema of the arguments
 * (`TASK_COMMANDS[name].args`, what the gateway parses with). What workflows do with them is in
 * task-updates.ts, re-exported here.
 */
import { TASK_COMMAND_ARGS } from './command-args';

export * from './task-updates';

export const TASK_COMMANDS = {
  claimTask: {
    summary: 'Claim an open task (a person: the token carries a staff id).',
    args: TASK_COMMAND_ARGS.claimTask,
  },
  unclaimTask: {
    summary: 'Give a claimed task back to the agency (only the person who claimed it).',
    args: TASK_COMMAND_ARGS.unclaimTask,
  },
  completeTask: {
    summary: 'Complete a task, with an outcome code such as accepted, examined, residential-care-centre.',
    args: TASK_COMMAND_ARGS.completeTask,
  },
} as const;
