/**
 * The rules of a rescued minor's protection, referred to CHILD_PROTECTION. It outlives the criminal
 * case. Each step is a human task with a reminder and an escalation: accept the referral and the
 * medical exam (due from the moment of custody) first, then placement and a care plan once the
 * referral is accepted. Pure: `now` is passed in.
 */
import type { ProtectionStart } from './commands/define';
import { toMs } from './durations';
import { emit } from './outbox';
import { newOwnerState, type TaskOwnerState } from './state';
import { openTask, openTasks } from './task-ops';
import type { HumanTask } from './tasks';
import { iso } from './time';

export type Milestone = 'referral-accepted' | 'medical-exam' | 'placement' | 'care-plan';

/** The task kinds of a protection, and the milestone each one's completion marks. */
const PROTECTION_STEPS = {
  'accept-referral': 'referral-accepted',
  'medical-exam': 'medical-exam',
  placement: 'placement',
  'care-plan': 'care-plan',
} as const satisfies Record<string, Milestone>;
type Step = keyof typeof PROTECTION_STEPS;

export interface ProtectionState extends TaskOwnerState {
  victimRef: string;
  custodyRef: string;
  milestones: Partial<Record<Milestone, { at: string; outcome?: string }>>;
}

/** What `protectionSnapshot` answers. */
export interface ProtectionSnapshot {
  caseId: string;
  victimRef: string;
  custodyRef: string;
  milestones: Record<string, { at: string; outcome?: string }>;
  openTasks: HumanTask[];
}

export function openProtectionState(start: ProtectionStart): ProtectionState {
  return { ...newOwnerState(start), victimRef: start.victimRef, custodyRef: start.custodyRef, milestones: {} };
}

/** The first steps, due from now: accept the referral; the medical exam, due from the moment of custody. */
export function referMinor(state: ProtectionState, takenAt: string, now: number): void {
  const p = state.policy.childProtection;
  openStep(state, 'accept-referral', 'Accept the protection referral', toMs(p.referralAcceptance), now);
  const examDue = Date.parse(takenAt) + toMs(p.medicalExam) - now;
  openStep(state, 'medical-exam', 'Carry out the medical exam', Math.max(1, examDue), now);
}

/** A completed task marks its milestone; accepting the referral opens placement and the care plan. */
export function onStepCompleted(state: ProtectionState, task: HumanTask, now: number): void {
  if (!isStep(task.kind)) return;
  const milestone = PROTECTION_STEPS[task.kind];
  state.milestones[milestone] = { at: iso(now), ...(task.outcome ? { outcome: task.outcome } : {}) };
  emit(state, 'protection-milestone', { victimRef: state.victimRef, milestone, outcome: task.outcome }, now);
  if (milestone === 'referral-accepted') {
    const p = state.policy.childProtection;
    openStep(state, 'placement', 'Decide the placement', toMs(p.placement), now);
    openStep(state, 'care-plan', 'Draw up the care plan', toMs(p.carePlan), now);
  }
}

/** Protection is done when every step's milestone is reached. */
export function isProtectionDone(state: ProtectionState): boolean {
  return Object.keys(state.milestones).length === Object.keys(PROTECTION_STEPS).length;
}

export function protectionSnapshot(state: ProtectionState): ProtectionSnapshot {
  return {
    caseId: state.caseId,
    victimRef: state.victimRef,
    custodyRef: state.custodyRef,
    milestones: state.milestones,
    openTasks: openTasks(state),
  };
}

function isStep(kind: string): kind is Step {
  return Object.prototype.hasOwnProperty.call(PROTECTION_STEPS, kind);
}

function openStep(state: ProtectionState, kind: Step, title: string, dueInMs: number, now: number): void {
  openTask(
    state,
    {
      kind,
      title: `${title} for minor ${state.victimRef} (case ${state.caseId})`,
      ref: state.victimRef,
      assignee: 'CHILD_PROTECTION',
      dueInMs,
      remindBeforeMs: toMs(state.policy.task.remindBefore),
      escalateTo: ['OVERSIGHT', 'PROSECUTION'],
    },
    now,
  );
}
