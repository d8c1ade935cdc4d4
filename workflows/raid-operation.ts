/**
 * raidOperationWorkflow: one coordinated operation over many locations (the rules: src/domain/raid.ts).
 * It waits for the start time, tracks each location's report as the case relays it, and when every
 * location has reported (or the case stops it), tells the case by signal.
 */
import { condition, getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import type { RaidStart } from '../src/domain/commands/define';
import {
  finishRaid,
  isRaidOver,
  missingLocations,
  onRaidDeadline,
  openRaidState,
  raidSnapshot,
  recordLocationReport,
  requestStop,
  startRaid,
} from '../src/domain/raid';
import { assertVerified } from '../src/domain/unverified';
import { locationReportedSignal, raidCompletedSignal, raidSnapshotQuery, stopRaidSignal } from './messages';
import { OwnerRuntime } from './owner-runtime';

const STOP_WITH_REASON_PATCH = 'stop-raid-with-reason';

export async function raidOperationWorkflow(raid: RaidStart): Promise<{ raidRef: string; missing: string[] }> {
  assertVerified(raid);
  const state = openRaidState(raid);
  const runtime = new OwnerRuntime(state, (deadline, now) => onRaidDeadline(state, deadline, now));

  // Message-handling API
  setHandler(locationReportedSignal, (signal: unknown) => {
    const report = recordLocationReport(state, signal);
    switch (report) {
      case 'recorded':
        runtime.stateChanged();
        return;
      case 'known':
        return;
      case 'not-ours':
        log.warn('locationReported ignored: not a location of this raid', { raidRef: state.raidRef });
        return;
      default: {
        const _exhaustive: never = report;
        return _exhaustive;
      }
    }
  });
  setHandler(stopRaidSignal, (signal: unknown) => {
    // Runs started before stop signals carried a payload sent none; every newer stop says why.
    const legacy = signal === undefined && !patched(STOP_WITH_REASON_PATCH);
    if (!requestStop(state, signal, legacy)) log.warn('stopRaid ignored: no valid reason', { raidRef: state.raidRef });
  });
  setHandler(raidSnapshotQuery, () => raidSnapshot(state));

  // Main workflow logic
  let closing = false;
  const publishing = runtime.publishLoop(() => closing);
  const startsAt = Date.parse(raid.startsAt);
  if (startsAt > Date.now()) await condition(() => state.stopped, startsAt - Date.now());
  startRaid(state, Date.now());
  await runtime.deadlineLoop(() => isRaidOver(state));
  finishRaid(state, Date.now());
  closing = true;
  await publishing;
  try {
    await getExternalWorkflowHandle(raid.parentWorkflowId).signal(raidCompletedSignal, {
      raidRef: state.raidRef,
      missing: missingLocations(state),
    });
  } catch (err) {
    // The case may already be closed or archived (that is what stops a raid): nothing to tell.
    log.warn('raid could not report back to its case', { raidRef: state.raidRef, error: String(err) });
  }
  return { raidRef: state.raidRef, missing: missingLocations(state) };
}
