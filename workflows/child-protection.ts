/**
 * childProtectionWorkflow: the protection of one rescued minor, referred to CHILD_PROTECTION. It
 * outlives the criminal case (started with ParentClosePolicy ABANDON). Each step is a human task with
 * a reminder and an escalation: accept the referral, medical exam (due from the moment of custody),
 * then placement and a care plan once the referral is accepted.
 */
import { setHandler } from '@temporalio/workflow';
import type { ProtectionStart } from '../src/domain/commands';
import { emit } from '../src/domain/outbox';
import { toMs } from '../src/domain/policy';
import { assertVerified } from '../src/domain/unverified';
import { newOwnerState, type TaskOwnerState } from '../src/domain/state';
import { onTaskDeadline, openTask, openTasks } from '../src/domain/task-ops';
import type { HumanTask } from '../src/domain/tasks';
import { protectionSnapshotQuery, type ProtectionSnapshot } from './messages';
import { OwnerRuntime } from './owner-runtime';

type Milestone = 'referral-accepted' | 'medical-exam' | 'placement' | 'care-plan';

interface ProtectionState extends TaskOwnerState {
  victimRef: string;
  custodyRef: string;
  milestones: Partial<Record<Milestone, { at: string; outcome?: string }>>;
}

const STEPS: Record<string, Milestone> = {
  'accept-referral': 'referral-accepted',
  'medical-exam': 'medical-exam',
  placement: 'placement',
  'care-plan': 'care-plan',
};

export async function childProtectionWorkflow(input: ProtectionStart): Promise<ProtectionSnapshot> {
  assertVerified(input);
  const state: ProtectionState = {
    ...newOwnerState(input),
    victimRef: input.victimRef,
    custodyRef: input.custodyRef,
    milestones: {},
  };
  const p = state.policy.childProtection;
  const remind = toMs(state.policy.task.remindBefore);
  const runtime = new OwnerRuntime(state, (deadline, now) => onTaskDeadline(state, deadline, now));
  const allDone = () => Object.keys(state.milestones).length === Object.keys(STEPS).length;

  const step = (kind: keyof typeof STEPS, title: string, dueInMs: number, now: number) =>
    openTask(
      state,
      {
        kind,
        title: `${title} for minor ${state.victimRef} (case ${state.caseId})`,
        ref: state.victimRef,
        assignee: 'CHILD_PROTECTION',
        dueInMs,
        remindBeforeMs: remind,
        escalateTo: ['OVERSIGHT', 'PROSECUTION'],
      },
      now,
    );

  const onCompleted = (task: HumanTask, now: number) => {
    const milestone = STEPS[task.kind];
    if (!milestone) return;
    state.milestones[milestone] = {
      at: new Date(now).toISOString(),
      ...(task.outcome ? { outcome: task.outcome } : {}),
    };
    emit(state, 'protection-milestone', { victimRef: state.victimRef, milestone, outcome: task.outcome }, now);
    if (milestone === 'referral-accepted') {
      step('placement', 'Decide the placement', toMs(p.placement), now);
      step('care-plan', 'Draw up the care plan', toMs(p.carePlan), now);
    }
  };

  runtime.handleTaskCommands(onCompleted);
  const snapshot = (): ProtectionSnapshot => ({
    caseId: state.caseId,
    victimRef: state.victimRef,
    custodyRef: state.custodyRef,
    milestones: state.milestones,
    openTasks: openTasks(state),
  });
  setHandler(protectionSnapshotQuery, snapshot);

  let closing = false;
  const publishing = runtime.publishLoop(() => closing);
  const takenAt = Date.parse(input.takenAt);
  const now = Date.now();
  step('accept-referral', 'Accept the protection referral', toMs(p.referralAcceptance), now);
  // The exam is due from the moment of custody, not from acceptance.
  step('medical-exam', 'Carry out the medical exam', Math.max(1, takenAt + toMs(p.medicalExam) - now), now);

  await runtime.deadlineLoop(allDone);
  closing = true;
  await publishing;
  return snapshot();
}
