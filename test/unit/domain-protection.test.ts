/**
 * The rules of a rescued minor's protection (src/domain/protection.ts), without a workflow: the first
 * steps and their due dates, milestones as tasks are completed, the steps that acceptance opens, and
 * when it is done. FAST_POLICY: referral 5s, exam 10s from custody, placement 20s, care plan 40s.
 */
import type { ProtectionStart } from '../../src/domain/commands/define';
import {
  isProtectionDone,
  onStepCompleted,
  openProtectionState,
  protectionSnapshot,
  referMinor,
  type ProtectionState,
} from '../../src/domain/protection';
import { decideTaskCommand } from '../../src/domain/task-commands';
import type { HumanTask } from '../../src/domain/tasks';
import { AS, FAST_POLICY, NOW, SECOND, caseAt, newCommandId, run } from './domain-fixtures';

/** The protection of V-1 as rescueMinor asks its workflow to start it, taken into custody at NOW. */
function referral(): ProtectionStart {
  const state = caseAt('OPERATION', { policy: FAST_POLICY });
  const { effects } = run(state, 'rescueMinor', AS.POLICE, {
    victimRef: 'V-1',
    custodyRef: 'MIMP-CAR-07',
    raidRef: 'R-1',
  });
  const start = effects?.find((e) => e.kind === 'start-protection');
  if (start?.kind !== 'start-protection') throw new Error('rescueMinor asked for no protection');
  return start.protection;
}

function referred(now = NOW): ProtectionState {
  const state = openProtectionState(referral());
  referMinor(state, new Date(NOW).toISOString(), now);
  return state;
}

function taskOf(state: ProtectionState, kind: string): HumanTask {
  const task = Object.values(state.tasks).find((t) => t.kind === kind);
  if (!task) throw new Error(`no ${kind} task`);
  return task;
}

/** Completes a step the way a social worker does, then lets the protection react, as its workflow does. */
function complete(state: ProtectionState, kind: string, outcome: string, now = NOW + SECOND): void {
  const input = {
    commandId: newCommandId(),
    actor: AS.CHILD_PROTECTION,
    args: { taskId: taskOf(state, kind).id, outcome },
  };
  const { task } = decideTaskCommand(state, 'completeTask', input, now);
  onStepCompleted(state, task, now);
}

it('refers the minor: accept the referral, and the medical exam due from the moment of custody', () => {
  const state = referred(NOW + 4 * SECOND); // the workflow started 4s after custody
  expect(state.workflowId).toBe('case-PE-LIM-2026-0042-minor-V-1');
  expect(Object.values(state.tasks).map((t) => [t.kind, t.assignee, Date.parse(t.dueAt) - NOW])).toEqual([
    ['accept-referral', 'CHILD_PROTECTION', 9 * SECOND],
    ['medical-exam', 'CHILD_PROTECTION', 10 * SECOND],
  ]);
  expect(taskOf(state, 'medical-exam').escalateTo).toEqual(['OVERSIGHT', 'PROSECUTION']);
});

it('an exam already overdue when the protection starts is due at once', () => {
  const state = referred(NOW + 60 * SECOND);
  expect(Date.parse(taskOf(state, 'medical-exam').dueAt)).toBe(NOW + 60 * SECOND + 1);
});

it('accepting the referral is a milestone and opens placement and the care plan', () => {
  const state = referred();
  complete(state, 'accept-referral', 'accepted');
  expect(state.milestones).toEqual({
    'referral-accepted': { at: new Date(NOW + SECOND).toISOString(), outcome: 'accepted' },
  });
  expect(state.outbox.filter((e) => e.type === 'protection-milestone').map((e) => e.data)).toEqual([
    { victimRef: 'V-1', milestone: 'referral-accepted', outcome: 'accepted' },
  ]);
  expect(protectionSnapshot(state).openTasks.map((t) => t.kind)).toEqual(['medical-exam', 'placement', 'care-plan']);
  expect(Date.parse(taskOf(state, 'placement').dueAt)).toBe(NOW + SECOND + 20 * SECOND);
});

it('a task that is no step of the protection marks nothing', () => {
  const state = referred();
  const before = structuredClone(state);
  onStepCompleted(state, { ...taskOf(state, 'medical-exam'), kind: 'decide-warrant' }, NOW);
  expect(state).toEqual(before);
});

it('is done when every step is', () => {
  const state = referred();
  complete(state, 'medical-exam', 'examined-malnourished');
  complete(state, 'accept-referral', 'accepted');
  expect(isProtectionDone(state)).toBe(false);
  complete(state, 'placement', 'residential-care-centre');
  complete(state, 'care-plan', 'care-plan-approved');
  expect(isProtectionDone(state)).toBe(true);
  expect(Object.keys(protectionSnapshot(state).milestones).sort()).toEqual([
    'care-plan',
    'medical-exam',
    'placement',
    'referral-accepted',
  ]);
  expect(protectionSnapshot(state).openTasks).toEqual([]);
});
