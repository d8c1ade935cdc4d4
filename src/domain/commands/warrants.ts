/** Warrants: PROSECUTION requests, JUDICIARY decides; an approved warrant is valid for a while. */
import { schedule } from '../deadlines';
import { toMs } from '../durations';
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef, type CaseState, type Deadline } from '../state';
import { completeTaskFor, openTask } from '../task-ops';
import { iso } from '../time';
import { command, requireRef } from './define';

export const requestWarrant = command('requestWarrant', {
  summary: 'Ask a judge for a search or arrest warrant over locations and/or suspects.',
  ref: 'warrantRef',
  check: (state, args) => {
    args.locationRefs.forEach((r, i) => requireRef(state.locations, r, `locationRefs[${i}]`, 'location'));
    args.suspectRefs.forEach((r, i) => requireRef(state.suspects, r, `suspectRefs[${i}]`, 'suspect'));
  },
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'W');
    const task = openTask(
      state,
      {
        kind: 'decide-warrant',
        title: `Decide ${args.kind} warrant ${ref} (${args.locationRefs.length} locations, ${args.suspectRefs.length} suspects)`,
        ref,
        assignee: 'JUDICIARY',
        dueInMs: toMs(state.policy.task.defaultDue),
        remindBeforeMs: toMs(state.policy.task.remindBefore),
        escalateTo: ['PROSECUTION'],
      },
      now,
    );
    state.warrants[ref] = { ref, ...args, status: 'requested', requestedAt: iso(now), taskId: task.id };
    emit(state, 'warrant-requested', { warrantRef: ref, ...args, taskId: task.id }, now);
    return { result: { warrantRef: ref, taskId: task.id } };
  },
});

function checkPending(state: CaseState, warrantRef: string): void {
  const w = requireRef(state.warrants, warrantRef, 'warrantRef', 'warrant');
  if (w.status !== 'requested') reject('CONFLICT', `warrantRef: warrant ${warrantRef} was already ${w.status}`);
}

export const approveWarrant = command('approveWarrant', {
  summary: 'Approve a requested warrant; it is valid for the policy period unless validFor is given.',
  ref: 'warrantRef',
  check: (state, { warrantRef, validFor }) => {
    checkPending(state, warrantRef);
    if (validFor && toMs(validFor) > toMs(state.policy.warrantValidity)) {
      reject(
        'PRECONDITION',
        `validFor: at most ${state.policy.warrantValidity}, the validity this case's policy allows`,
      );
    }
  },
  apply: (state, { warrantRef, validFor }, { now }) => {
    const w = state.warrants[warrantRef]!;
    const until = now + toMs(validFor ?? state.policy.warrantValidity);
    Object.assign(w, { status: 'approved', decidedAt: iso(now), validUntil: iso(until) });
    schedule(state, 'warrant-expiry', warrantRef, until);
    completeTaskFor(state, 'decide-warrant', warrantRef, 'approved', now);
    emit(
      state,
      'warrant-approved',
      { warrantRef, kind: w.kind, validUntil: w.validUntil, locationRefs: w.locationRefs },
      now,
    );
    return { result: { warrantRef, validUntil: w.validUntil } };
  },
});

export const denyWarrant = command('denyWarrant', {
  summary: 'Deny a requested warrant.',
  ref: 'warrantRef',
  check: (state, { warrantRef }) => checkPending(state, warrantRef),
  apply: (state, { warrantRef, reason }, { now }) => {
    Object.assign(state.warrants[warrantRef]!, { status: 'denied', decidedAt: iso(now) });
    completeTaskFor(state, 'decide-warrant', warrantRef, 'denied', now);
    emit(state, 'warrant-denied', { warrantRef, reason }, now);
    return { result: { warrantRef } };
  },
});

export function isWarrantValid(state: CaseState, warrantRef: string, at: number): boolean {
  const w = state.warrants[warrantRef];
  return w?.status === 'approved' && w.validUntil !== undefined && Date.parse(w.validUntil) > at;
}

export function onWarrantExpiry(state: CaseState, deadline: Deadline, now: number): void {
  const w = state.warrants[deadline.ref];
  const used =
    Object.values(state.raids).some((r) => r.warrantRefs.includes(deadline.ref)) ||
    Object.values(state.arrests).some((a) => a.basis && 'warrantRef' in a.basis && a.basis.warrantRef === deadline.ref);
  if (w?.status === 'approved' && !used) emit(state, 'warrant-expired', { warrantRef: w.ref }, now);
}
