/**
 * The rules of a raid operation (one coordinated operation over many locations; the reference case: 18).
 * It waits for its start time, then tracks each location's outcome report. Reports are due within the
 * policy window: a POLICE task, escalated to PROSECUTION with the missing locations when it lapses. It
 * is over when every location has reported or the case stops it. Pure: `now` is passed in, and a
 * refused message changes nothing.
 */
import type { RaidStart } from './commands/define';
import { toMs } from './durations';
import { emit } from './outbox';
import { newOwnerState, type Deadline, type TaskOwnerState } from './state';
import { cancelTask, completeTask, onTaskDeadline, openTask, openTasks } from './task-ops';
import type { HumanTask } from './tasks';

export interface RaidState extends TaskOwnerState {
  raidRef: string;
  locationRefs: string[];
  reported: string[];
  reportTaskId?: string;
  started: boolean;
  stopped: boolean;
}

/** What `raidSnapshot` answers. */
export interface RaidSnapshot {
  raidRef: string;
  started: boolean;
  reported: string[];
  missing: string[];
  openTasks: HumanTask[];
}

export function openRaidState(start: RaidStart): RaidState {
  return {
    ...newOwnerState(start),
    raidRef: start.raidRef,
    locationRefs: start.locationRefs,
    reported: [],
    started: false,
    stopped: false,
  };
}

export function missingLocations(state: RaidState): string[] {
  return state.locationRefs.filter((l) => !state.reported.includes(l));
}

export function isRaidOver(state: RaidState): boolean {
  return state.stopped || missingLocations(state).length === 0;
}

/** The operation starts: its figures go out, and POLICE must report every location within the window. */
export function startRaid(state: RaidState, now: number): void {
  state.started = true;
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
}

/**
 * The case relays a location's report (`locationReported` signal): `recorded` when it is news; `known`
 * for a location already reported, `not-ours` for a message that names no location of this raid (in both
 * cases nothing changes).
 */
export function recordLocationReport(state: RaidState, signal: unknown): 'recorded' | 'known' | 'not-ours' {
  const locationRef = (signal as { locationRef?: unknown } | null)?.locationRef;
  if (typeof locationRef !== 'string' || !state.locationRefs.includes(locationRef)) return 'not-ours';
  if (state.reported.includes(locationRef)) return 'known';
  state.reported.push(locationRef);
  return 'recorded';
}

/**
 * The case asks the raid to stop (`stopRaid` signal: the case is over). Only a stop that says why is
 * obeyed, except from runs that started before stop signals carried a reason (`legacy`). False, and
 * nothing changes, for a stop that is ignored.
 */
export function requestStop(state: RaidState, signal: unknown, legacy: boolean): boolean {
  if (!legacy && (signal as { reason?: unknown } | null)?.reason !== 'case-over') return false;
  state.stopped = true;
  return true;
}

/** A deadline of the raid: its task's reminders and escalation, and the overdue report when the window lapses. */
export function onRaidDeadline(state: RaidState, deadline: Deadline, now: number): void {
  onTaskDeadline(state, deadline, now);
  if (deadline.kind === 'task-due' && deadline.ref === state.reportTaskId) {
    emit(state, 'raid-locations-overdue', { raidRef: state.raidRef, missing: missingLocations(state) }, now);
  }
}

/** The raid is over: its report task is done if every location reported, else no longer needed. */
export function finishRaid(state: RaidState, now: number): void {
  if (state.reportTaskId === undefined) return;
  const task = state.tasks[state.reportTaskId];
  if (task && missingLocations(state).length === 0) completeTask(state, task.id, 'all-reported', now);
  else cancelTask(state, state.reportTaskId, now);
}

export function raidSnapshot(state: RaidState): RaidSnapshot {
  return {
    raidRef: state.raidRef,
    started: state.started,
    reported: state.reported,
    missing: missingLocations(state),
    openTasks: openTasks(state),
  };
}
