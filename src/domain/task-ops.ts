/** The human-task pattern, shared by the case, raid and protection workflows. */
import type { Actor, Agency } from './actors';
import { schedule, unschedule } from './deadlines';
import { reject } from './errors';
import { emit } from './outbox';
import type { Deadline, TaskOwnerState } from './state';
import type { HumanTask } from './tasks';
import { iso } from './time';

/** `<ownerWorkflowId>~T<n>` (see taskId). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,180}~T\d{1,6}$/;

/** Task ids name their owner, so completion can be routed without a lookup. */
export function taskId(ownerWorkflowId: string, n: number): string {
  return `${ownerWorkflowId}~T${n}`;
}

/** Whether a task still waits for someone: open or claimed, not completed or cancelled. */
export function isOpen(task: Pick<HumanTask, 'status'>): boolean {
  return task.status === 'open' || task.status === 'claimed';
}

export interface NewTask {
  kind: string;
  title: string;
  ref?: string;
  assignee: Agency;
  staffId?: string;
  dueInMs: number;
  remindBeforeMs?: number;
  escalateTo: Agency[];
}

export function openTask(state: TaskOwnerState, spec: NewTask, now: number): HumanTask {
  state.counters.T += 1;
  const dueAt = now + spec.dueInMs;
  const remindAt = spec.remindBeforeMs && spec.remindBeforeMs < spec.dueInMs ? [dueAt - spec.remindBeforeMs] : [];
  const task: HumanTask = {
    id: taskId(state.workflowId, state.counters.T),
    caseId: state.caseId,
    ownerWorkflowId: state.workflowId,
    kind: spec.kind,
    title: spec.title,
    ...(spec.ref ? { ref: spec.ref } : {}),
    assignee: spec.assignee,
    ...(spec.staffId ? { staffId: spec.staffId } : {}),
    createdAt: iso(now),
    dueAt: iso(dueAt),
    remindAt: remindAt.map(iso),
    escalateTo: spec.escalateTo,
    escalated: false,
    status: 'open',
  };
  state.tasks[task.id] = task;
  for (const at of remindAt) schedule(state, 'task-reminder', task.id, at);
  schedule(state, 'task-due', task.id, dueAt);
  announce(state, 'task-created', task, now);
  return task;
}

/** Checks that `actor` may act on the task; returns it. Used by validators, so it must not mutate. */
export function checkTaskActor(state: TaskOwnerState, id: string, actor: Pick<Actor, 'agency'>): HumanTask {
  const task = Object.prototype.hasOwnProperty.call(state.tasks, id) ? state.tasks[id] : undefined;
  if (!task) return reject('UNKNOWN_REFERENCE', `taskId: no task ${id} in this workflow`);
  if (!isOpen(task)) return reject('CONFLICT', `taskId: task ${id} is already ${task.status}`);
  const allowed = task.assignee === actor.agency || (task.escalated && task.escalateTo.includes(actor.agency));
  if (!allowed) return reject('NOT_PERMITTED', `task ${id} is assigned to ${task.assignee}, not ${actor.agency}`);
  return task;
}

export function claimTask(state: TaskOwnerState, id: string, actor: Actor, now: number): HumanTask {
  const task = checkTaskActor(state, id, actor);
  if (!actor.staffId) return reject('NOT_PERMITTED', 'claimTask: only a person can claim a task');
  task.status = 'claimed';
  task.staffId = actor.staffId;
  announce(state, 'task-claimed', task, now);
  return task;
}

/** A claimed task back to its agency's open work (the validator checked that its claimant asks). */
export function unclaimTask(state: TaskOwnerState, id: string, now: number): HumanTask {
  const task = state.tasks[id];
  if (!task) throw new Error(`no task ${id}`);
  task.status = 'open';
  delete task.staffId;
  announce(state, 'task-unclaimed', task, now);
  return task;
}

export function completeTask(state: TaskOwnerState, id: string, outcome: string | undefined, now: number): HumanTask {
  const task = state.tasks[id];
  if (!task) throw new Error(`no task ${id}`);
  task.status = 'completed';
  task.completedAt = iso(now);
  if (outcome) task.outcome = outcome;
  unschedule(state, id, ['task-reminder', 'task-due']);
  announce(state, 'task-completed', task, now);
  return task;
}

export function cancelTask(state: TaskOwnerState, id: string, now: number): void {
  const task = state.tasks[id];
  if (!task || !isOpen(task)) return;
  task.status = 'cancelled';
  unschedule(state, id, ['task-reminder', 'task-due']);
  announce(state, 'task-cancelled', task, now);
}

/** Completes the open task of a kind about a reference, if there is one (a command did the work). */
export function completeTaskFor(state: TaskOwnerState, kind: string, ref: string, outcome: string, now: number): void {
  for (const task of Object.values(state.tasks)) {
    if (task.kind === kind && task.ref === ref && isOpen(task)) completeTask(state, task.id, outcome, now);
  }
}

export function openTasks(state: Pick<TaskOwnerState, 'tasks'>): HumanTask[] {
  return Object.values(state.tasks).filter(isOpen);
}

/** Fires a task deadline: reminder to the assignee, or escalation to the escalation targets. */
export function onTaskDeadline(state: TaskOwnerState, deadline: Deadline, now: number): void {
  const task = state.tasks[deadline.ref];
  if (!task || !isOpen(task)) return;
  if (deadline.kind === 'task-reminder') {
    task.remindAt = task.remindAt.filter((r) => Date.parse(r) > now);
    announce(state, 'task-reminder', task, now);
  } else if (deadline.kind === 'task-due' && !task.escalated) {
    task.escalated = true;
    announce(state, 'task-escalated', task, now);
  }
}

/** Only closed tasks are dropped when state is compacted for continue-as-new. */
export function pruneClosedTasks(state: TaskOwnerState, keep = 200): void {
  const closed = Object.values(state.tasks).filter((t) => !isOpen(t));
  for (const t of closed.slice(0, Math.max(0, closed.length - keep))) delete state.tasks[t.id];
}

function announce(state: TaskOwnerState, type: Parameters<typeof emit>[1], task: HumanTask, now: number): void {
  // Once escalated, the escalation agencies hold the task too, so they hear how it ends.
  const to = task.escalated ? [task.assignee, ...task.escalateTo] : [task.assignee];
  emit(state, type, { task: { ...task } }, now, { to: [...new Set(to)] });
}
