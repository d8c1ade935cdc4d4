/**
 * raidOperationWorkflow: one coordinated operation over many locations (the reference case: 18).
 * It waits for the start time, then tracks each location's outcome report. Reports are due within
 * the policy window: a POLICE task, escalated to PROSECUTION with the missing locations when it lapses.
 * When every location has reported (or the case stops it), it tells the case by signal.
 */
import { condition, getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import type { RaidStart } from '../src/domain/commands';
import { emit } from '../src/domain/outbox';
import { toMs } from '../src/domain/policy';
import { assertVerified } from '../src/domain/unverified';
import { newOwnerState, type Deadline, type TaskOwnerState } from '../src/domain/state';
import { cancelTask, completeTask, onTaskDeadline, openTask, openTasks } from '../src/domain/task-ops';
import { locationReportedSignal, raidCompletedSignal, raidSnapshotQuery, stopRaidSignal } from './messages';
import { OwnerRuntime } from './owner-runtime';

const STOP_WITH_REASON_PATCH = 'stop-raid-with-reason';

interface RaidState extends TaskOwnerState {
  raidRef: string;
  locationRefs: string[];
  reported: string[];
  reportTaskId?: string;
}

export async function raidOperationWorkflow(raid: RaidStart): Promise<{ raidRef: string; missing: string[] }> {
  assertVerified(raid);
  const state: RaidState = {
    ...newOwnerState(raid),
    raidRef: raid.raidRef,
    locationRefs: raid.locationRefs,
    reported: [],
  };
  let started = false;
  let stopped = false;
  const missing = () => state.locationRefs.filter((l) => !state.reported.includes(l));
  const done = () => stopped || missing().length === 0;

  const runtime = new OwnerRuntime(state, (deadline: Deadline, now: number) => {
    onTaskDeadline(state, deadline, now);
    if (deadline.kind === 'task-due' && deadline.ref === state.reportTaskId) {
      emit(state, 'raid-locations-overdue', { raidRef: state.raidRef, missing: missing() }, now);
    }
  });

  setHandler(locationReportedSignal, (signal: unknown) => {
    const locationRef = (signal as { locationRef?: unknown } | null)?.locationRef;
    if (typeof locationRef !== 'string' || !state.locationRefs.includes(locationRef)) {
      log.warn('locationReported ignored: not a location of this raid', { raidRef: state.raidRef });
      return;
    }
    if (!state.reported.includes(locationRef)) {
      state.reported.push(locationRef);
      runtime.touch();
    }
  });
  setHandler(stopRaidSignal, (signal: unknown) => {
    // Runs started before stop signals carried a payload sent none; every newer stop says why.
    const legacy = signal === undefined && !patched(STOP_WITH_REASON_PATCH);
    if (!legacy && (signal as { reason?: unknown } | null)?.reason !== 'case-over') {
      log.warn('stopRaid ignored: no valid reason', { raidRef: state.raidRef });
      return;
    }
    stopped = true;
  });
  setHandler(raidSnapshotQuery, () => ({
    raidRef: state.raidRef,
    started,
    reported: state.reported,
    missing: missing(),
    openTasks: openTasks(state),
  }));

  let closing = false;
  const publishing = runtime.publishLoop(() => closing);

  const startsAt = Date.parse(raid.startsAt);
  if (startsAt > Date.now()) await condition(() => stopped, startsAt - Date.now());
  started = true;
  const now = Date.now();
  emit(state, 'raid-started', { raidRef: state.raidRef, locationCount: state.locationRefs.length }, now);
  state.reportTaskId = openTask(
    state,
    {
      kind: 'report-raid-locations',
      title: `Report the outcome of all ${state.locationRefs.length} locations of raid ${state.raidRef}`,
      ref: state.raidRef,
      assignee: 'POLICE',
      dueInMs: toMs(state.policy.raidReportWindow),
      escalateTo: ['PROSECUTION'],
    },
    now,
  ).id;

  await runtime.deadlineLoop(done);

  const end = Date.now();
  const task = state.tasks[state.reportTaskId];
  if (task && missing().length === 0) completeTask(state, task.id, 'all-reported', end);
  else cancelTask(state, state.reportTaskId, end);
  closing = true;
  await publishing;
  try {
    await getExternalWorkflowHandle(raid.parentWorkflowId).signal(raidCompletedSignal, {
      raidRef: state.raidRef,
      missing: missing(),
    });
  } catch (err) {
    // The case may already be closed or archived (that is what stops a raid): nothing to tell.
    log.warn('raid could not report back to its case', { raidRef: state.raidRef, error: String(err) });
  }
  return { raidRef: state.raidRef, missing: missing() };
}
