/**
 * The rules of a raid operation (src/domain/raid.ts), without a workflow: what starting it does, how
 * relayed reports and stop requests are taken (a message it cannot use changes nothing), the overdue
 * report, and how it ends.
 */
import type { RaidStart } from '../../src/domain/commands/define';
import { takeDue } from '../../src/domain/deadlines';
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
  type RaidState,
} from '../../src/domain/raid';
import { AS, FAST_POLICY, NOW, SECOND, caseAt, run } from './domain-fixtures';

/** The raid R-1 of the fixture case, as planRaid asks its workflow to start it (FAST_POLICY: reports due in 30s). */
function plannedRaid(): RaidStart {
  const state = caseAt('INVESTIGATION', { policy: FAST_POLICY });
  run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
  const { effects } = run(state, 'planRaid', AS.POLICE, { locationRefs: ['L-1', 'L-2'] });
  const start = effects?.find((e) => e.kind === 'start-raid');
  if (start?.kind !== 'start-raid') throw new Error('planRaid asked for no raid');
  return start.raid;
}

function startedRaid(): RaidState {
  const state = openRaidState(plannedRaid());
  startRaid(state, NOW);
  return state;
}

it('opens waiting, with every location missing and nothing emitted', () => {
  const state = openRaidState(plannedRaid());
  expect(state).toMatchObject({ raidRef: 'R-1', workflowId: 'case-PE-LIM-2026-0042-raid-R-1', started: false });
  expect(missingLocations(state)).toEqual(['L-1', 'L-2']);
  expect(state.outbox).toEqual([]);
});

it('starting announces the raid and gives POLICE a report task due within the policy window', () => {
  const state = startedRaid();
  expect(state.outbox.map((e) => e.type)).toEqual(['raid-started', 'task-created']);
  expect(state.outbox[0]!.data).toEqual({ raidRef: 'R-1', locationCount: 2 });
  const task = state.tasks[state.reportTaskId!]!;
  expect(task).toMatchObject({ kind: 'report-raid-locations', assignee: 'POLICE', escalateTo: ['PROSECUTION'] });
  expect(Date.parse(task.dueAt)).toBe(NOW + 30 * SECOND);
  expect(raidSnapshot(state)).toMatchObject({ started: true, reported: [], missing: ['L-1', 'L-2'] });
});

describe('relayed reports', () => {
  it('records each location once; the raid is over when all have reported', () => {
    const state = startedRaid();
    expect(recordLocationReport(state, { locationRef: 'L-2' })).toBe('recorded');
    const before = structuredClone(state);
    expect(recordLocationReport(state, { locationRef: 'L-2' })).toBe('known');
    expect(state).toEqual(before);
    expect(isRaidOver(state)).toBe(false);
    expect(recordLocationReport(state, { locationRef: 'L-1' })).toBe('recorded');
    expect(isRaidOver(state)).toBe(true);
  });

  it.each([null, undefined, 'L-1', {}, { locationRef: 5 }, { locationRef: 'L-3' }, { locationRef: '__proto__' }])(
    'ignores %j, changing nothing',
    (signal) => {
      const state = startedRaid();
      const before = structuredClone(state);
      expect(recordLocationReport(state, signal)).toBe('not-ours');
      expect(state).toEqual(before);
    },
  );
});

describe('stop requests', () => {
  it.each([undefined, null, {}, { reason: 'bored' }])('ignores a stop that gives no valid reason: %j', (signal) => {
    const state = startedRaid();
    const before = structuredClone(state);
    expect(requestStop(state, signal, false)).toBe(false);
    expect(state).toEqual(before);
  });

  it('obeys a stop because the case is over, or a reasonless one from a run that predates reasons', () => {
    const state = startedRaid();
    expect(requestStop(state, { reason: 'case-over' }, false)).toBe(true);
    expect(isRaidOver(state)).toBe(true);
    const legacy = startedRaid();
    expect(requestStop(legacy, undefined, true)).toBe(true);
    expect(legacy.stopped).toBe(true);
  });
});

it('when the report window lapses, escalates the task to PROSECUTION and says which locations are missing', () => {
  const state = startedRaid();
  recordLocationReport(state, { locationRef: 'L-1' });
  const at = NOW + 30 * SECOND;
  for (const deadline of takeDue(state, at)) onRaidDeadline(state, deadline, at);
  expect(state.outbox.map((e) => e.type).slice(-2)).toEqual(['task-escalated', 'raid-locations-overdue']);
  expect(state.outbox.at(-1)!.data).toEqual({ raidRef: 'R-1', missing: ['L-2'] });
  expect(state.tasks[state.reportTaskId!]!.escalated).toBe(true);
});

describe('the end', () => {
  it('completes the report task when every location reported', () => {
    const state = startedRaid();
    recordLocationReport(state, { locationRef: 'L-1' });
    recordLocationReport(state, { locationRef: 'L-2' });
    finishRaid(state, NOW + SECOND);
    expect(state.tasks[state.reportTaskId!]).toMatchObject({ status: 'completed', outcome: 'all-reported' });
    expect(state.deadlines).toEqual([]);
  });

  it('cancels it when the raid was stopped with locations missing', () => {
    const state = startedRaid();
    requestStop(state, { reason: 'case-over' }, false);
    finishRaid(state, NOW + SECOND);
    expect(state.tasks[state.reportTaskId!]!.status).toBe('cancelled');
    expect(raidSnapshot(state)).toMatchObject({ missing: ['L-1', 'L-2'], openTasks: [] });
  });
});
