/** Arrests and detention clocks: one clock per arrestee, a warning before the limit, and on expiry a
 * "release or extend" task for JUDICIARY and PROSECUTION. Only JUDICIARY rules on detention. */
import { schedule, unschedule } from '../deadlines';
import { toMs } from '../durations';
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef, type CaseState, type Deadline } from '../state';
import { completeTaskFor, openTask } from '../task-ops';
import { iso } from '../time';
import { command, requireRef } from './define';

const RULING_TASK = 'release-or-extend';
export const CHARGE_TASK = 'file-charges';

function officialRouting(state: CaseState, suspectRef: string) {
  // An arrested official is oversight's business too.
  return state.suspects[suspectRef]?.official ? { alsoTo: ['OVERSIGHT' as const] } : {};
}

function startClock(state: CaseState, arrestRef: string, limitAt: number, now: number): void {
  const warnAt = limitAt - toMs(state.policy.detention.warnBefore);
  if (warnAt > now) schedule(state, 'detention-warning', arrestRef, warnAt);
  else unschedule(state, arrestRef, ['detention-warning']);
  schedule(state, 'detention-expiry', arrestRef, limitAt);
}

export const recordArrest = command('recordArrest', {
  summary: 'Record the arrest of an identified suspect; the detention clock starts now.',
  move: { from: ['OPERATION'], to: 'DETENTION' },
  ref: 'arrestRef',
  check: (state, a) => {
    requireRef(state.suspects, a.suspectRef, 'suspectRef', 'suspect');
    if (a.raidRef) requireRef(state.raids, a.raidRef, 'raidRef', 'raid');
    if (a.locationRef) requireRef(state.locations, a.locationRef, 'locationRef', 'location');
    const held = Object.values(state.arrests).find((x) => x.suspectRef === a.suspectRef && x.status !== 'released');
    if (held) reject('CONFLICT', `suspectRef: ${a.suspectRef} is already in custody under arrest ${held.ref}`);
  },
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'A');
    const limitAt = now + toMs(state.policy.detention.limit[args.offenceClass]);
    state.arrests[ref] = { ref, ...args, at: iso(now), status: 'held', limitAt, extensions: 0 };
    startClock(state, ref, limitAt, now);
    openChargeWindow(state, now);
    emit(
      state,
      'arrest-recorded',
      { arrestRef: ref, ...args, detentionLimitAt: iso(limitAt) },
      now,
      officialRouting(state, args.suspectRef),
    );
    return { result: { arrestRef: ref, detentionLimitAt: iso(limitAt) } };
  },
});

/** The first arrest opens the window for filing charges: a PROSECUTION task with a legal due date. */
function openChargeWindow(state: CaseState, now: number): void {
  const alreadyOpen = Object.values(state.tasks).some((t) => t.kind === CHARGE_TASK);
  if (alreadyOpen || Object.keys(state.charges).length > 0) return;
  openTask(
    state,
    {
      kind: CHARGE_TASK,
      title: `File charges in case ${state.caseId} (first arrest made)`,
      ref: state.caseId,
      assignee: 'PROSECUTION',
      dueInMs: toMs(state.policy.chargeFilingWindow),
      remindBeforeMs: toMs(state.policy.task.remindBefore),
      escalateTo: ['OVERSIGHT'],
    },
    now,
  );
}

function checkHeld(state: CaseState, arrestRef: string, allowRemanded: boolean): void {
  const arrest = requireRef(state.arrests, arrestRef, 'arrestRef', 'arrest');
  if (arrest.status === 'released' || (!allowRemanded && arrest.status === 'remanded')) {
    reject('CONFLICT', `arrestRef: arrest ${arrestRef} is ${arrest.status}`);
  }
}

export const extendDetention = command('extendDetention', {
  summary: 'Extend police detention of an arrestee (by the policy extension unless extendBy is given).',
  ref: 'arrestRef',
  check: (state, { arrestRef, extendBy }) => {
    checkHeld(state, arrestRef, false);
    if (extendBy && toMs(extendBy) > toMs(state.policy.detention.extension)) {
      reject(
        'PRECONDITION',
        `extendBy: at most ${state.policy.detention.extension}, the extension this case's policy allows`,
      );
    }
  },
  apply: (state, { arrestRef, extendBy }, { now }) => {
    const arrest = state.arrests[arrestRef]!;
    arrest.limitAt = Math.max(arrest.limitAt, now) + toMs(extendBy ?? state.policy.detention.extension);
    arrest.extensions += 1;
    startClock(state, arrestRef, arrest.limitAt, now);
    completeTaskFor(state, RULING_TASK, arrestRef, 'extended', now);
    emit(
      state,
      'detention-extended',
      { arrestRef, suspectRef: arrest.suspectRef, detentionLimitAt: iso(arrest.limitAt) },
      now,
    );
    return { result: { arrestRef, detentionLimitAt: iso(arrest.limitAt) } };
  },
});

export const endDetention = command('endDetention', {
  summary: 'Release an arrestee, or remand them in custody pending trial (the police clock stops).',
  ref: 'arrestRef',
  check: (state, { arrestRef }) => checkHeld(state, arrestRef, true),
  apply: (state, { arrestRef, outcome }, { now }) => {
    const arrest = state.arrests[arrestRef]!;
    arrest.status = outcome;
    unschedule(state, arrestRef, ['detention-warning', 'detention-expiry']);
    completeTaskFor(state, RULING_TASK, arrestRef, outcome, now);
    emit(state, 'detention-ended', { arrestRef, suspectRef: arrest.suspectRef, outcome }, now);
    return { result: { arrestRef, status: outcome } };
  },
});

export function onDetentionDeadline(state: CaseState, deadline: Deadline, now: number): void {
  const arrest = state.arrests[deadline.ref];
  if (!arrest || arrest.status !== 'held') return;
  const facts = { arrestRef: arrest.ref, suspectRef: arrest.suspectRef, detentionLimitAt: iso(arrest.limitAt) };
  if (deadline.kind === 'detention-warning') {
    emit(state, 'detention-warning', facts, now);
    return;
  }
  const taskIds = (['JUDICIARY', 'PROSECUTION'] as const).map(
    (assignee) =>
      openTask(
        state,
        {
          kind: RULING_TASK,
          title: `Release or extend detention of arrestee ${arrest.ref} (suspect ${arrest.suspectRef}): limit lapsed`,
          ref: arrest.ref,
          assignee,
          dueInMs: toMs(state.policy.detention.warnBefore),
          escalateTo: ['OVERSIGHT'],
        },
        now,
      ).id,
  );
  emit(state, 'detention-expired', { ...facts, taskIds }, now);
}
