/** What ending a case (closed or archived) does to the work still open in it. */
import { cancelTask, openTasks } from '../task-ops';
import type { CaseState } from '../state';
import type { Effect } from './define';

/** Cancels open tasks and timers and asks running raids to stop. Protection of minors goes on: it
 * lives in its own workflows, which outlive the case by design. */
export function wrapUp(state: CaseState, now: number): Effect[] {
  for (const task of openTasks(state)) cancelTask(state, task.id, now);
  state.deadlines = [];
  return Object.values(state.raids)
    .filter((r) => r.status === 'planned')
    .map((r) => ({ kind: 'stop-raid' as const, workflowId: r.workflowId }));
}
