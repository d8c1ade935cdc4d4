/**
 * Human tasks: one pattern for every piece of work a person must do by a deadline ("approve warrant
 * W-3", "medical exam of minor V-1"). A task is created and announced by event, completed by an
 * Update to the workflow that owns it, reminded and escalated by that workflow's timers. The schemas
 * here are for readers of task events (the notifier, the gateway); the rules are in task-ops.ts.
 */
import { z } from 'zod';
import { Agency } from './agencies';
import { issueMessage } from './errors';

export { isOpen, taskId, TASK_ID_PATTERN } from './task-ops';
import { TASK_ID_PATTERN } from './task-ops';

const TaskStatus = z.enum(['open', 'claimed', 'completed', 'cancelled']);

/** `<ownerWorkflowId>~T<n>`: the owner is derivable, so completion can be routed without a lookup. */
export const TaskId = z.string().regex(TASK_ID_PATTERN, 'must look like <workflowId>~T<n>');

export const HumanTask = z.object({
  id: TaskId,
  caseId: z.string(),
  ownerWorkflowId: z.string(),
  kind: z.string(),
  /** Readable, reference-only: "Approve warrant W-3". Never a person's name. */
  title: z.string().max(200),
  /** The party, warrant, arrest... the task is about, as a reference (V-1, W-3, A-7). */
  ref: z.string().optional(),
  assignee: Agency,
  staffId: z.string().optional(),
  createdAt: z.string(),
  dueAt: z.string(),
  /** Reminder instants before dueAt that are still to fire (ISO). */
  remindAt: z.array(z.string()),
  escalateTo: z.array(Agency),
  escalated: z.boolean(),
  status: TaskStatus,
  completedAt: z.string().optional(),
  outcome: z.string().max(500).optional(),
});
export type HumanTask = z.infer<typeof HumanTask>;

/** The workflow that owns a task, from its id. */
export function ownerOfTask(id: string): string {
  const parsed = TaskId.safeParse(id);
  if (!parsed.success)
    throw new Error(issueMessage(parsed.error.issues[0] ?? { path: [], message: 'invalid' }, 'taskId'));
  return id.slice(0, id.lastIndexOf('~T'));
}
