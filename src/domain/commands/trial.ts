/** Charges, trial, hearings and closure (verdicts, severance and appeals: judgment.ts). */
import type { Defendant } from '../case';
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef, type CaseState } from '../state';
import { completeTaskFor } from '../task-ops';
import { iso } from '../time';
import { wrapUp } from './closing';
import { command, requireRef } from './define';
import { CHARGE_TASK } from './detention';

/** A minute's grace for clocks that differ between the caller and the case. */
const CLOCK_SKEW_MS = 60_000;

export const fileCharges = command('fileCharges', {
  summary: 'File charges against identified suspects; each becomes a defendant awaiting a verdict.',
  // Charges need identified suspects, not arrests: a suspect who fled the raid is charged too.
  move: { from: ['INVESTIGATION', 'OPERATION', 'DETENTION'], to: 'PROSECUTION' },
  ref: 'chargeRef',
  check: (state, { suspectRefs }) => {
    suspectRefs.forEach((r, i) => requireRef(state.suspects, r, `suspectRefs[${i}]`, 'suspect'));
  },
  apply: (state, { suspectRefs, offences }, { now }) => {
    const ref = nextRef(state.counters, 'C');
    state.charges[ref] = { ref, suspectRefs, offences, filedAt: iso(now) };
    for (const s of suspectRefs) {
      state.suspects[s]!.charged = true;
      state.defendants[s] ??= { suspectRef: s, chargedAt: iso(now), status: 'awaiting-verdict', appeals: [] };
    }
    completeTaskFor(state, CHARGE_TASK, state.caseId, `charges ${ref}`, now);
    emit(state, 'charges-filed', { chargeRef: ref, suspectRefs, offences }, now);
    return { result: { chargeRef: ref } };
  },
});

export const openTrial = command('openTrial', {
  summary: 'Open the trial on the filed charges.',
  move: { from: ['PROSECUTION'], to: 'TRIAL' },
  check: (state) => {
    if (Object.keys(state.charges).length === 0) {
      reject('PRECONDITION', 'no charges have been filed: a trial needs charges');
    }
  },
  apply: (state, _args, { now }) => {
    emit(state, 'trial-opened', { chargeRefs: Object.keys(state.charges) }, now);
    return { result: { stage: state.stage } };
  },
});

/** The defendant a hearing names exists; an appellate hearing's defendant has an appeal pending. */
function checkHearingDefendant(state: CaseState, a: { kind: string; suspectRef?: string }): void {
  if (!a.suspectRef) return;
  requireRef(state.suspects, a.suspectRef, 'suspectRef', 'suspect');
  const defendant = state.defendants[a.suspectRef];
  if (!defendant) reject('PRECONDITION', `suspectRef: ${a.suspectRef} was never charged`);
  if (a.kind === 'appeal' && defendant.status !== 'appealed') {
    reject('PRECONDITION', `suspectRef: ${a.suspectRef} has no appeal pending: an appellate hearing hears one`);
  }
}

export const scheduleHearing = command('scheduleHearing', {
  summary: 'Schedule a hearing (in the future; an appellate hearing names the appellant defendant).',
  ref: 'hearingRef',
  check: (state, a, { now }) => {
    if (Date.parse(a.at) <= now) {
      reject('PRECONDITION', 'at: a hearing is scheduled in the future; record one that took place with recordHearing');
    }
    checkHearingDefendant(state, a);
  },
  apply: (state, { kind, at, suspectRef }, { now }) => {
    const ref = nextRef(state.counters, 'H');
    state.hearings[ref] = { ref, kind, at, ...(suspectRef ? { suspectRef } : {}), status: 'scheduled' };
    emit(state, 'hearing-scheduled', { hearingRef: ref, kind, at, ...(suspectRef ? { suspectRef } : {}) }, now);
    return { result: { hearingRef: ref } };
  },
});

export const recordHearing = command('recordHearing', {
  summary: 'Record a hearing that took place: one that was scheduled (hearingRef), or one that was not.',
  ref: 'hearingRef',
  check: (state, a, { now }) => {
    if (Date.parse(a.at) > now + CLOCK_SKEW_MS) {
      reject('PRECONDITION', 'at: a hearing that took place is not in the future; schedule one with scheduleHearing');
    }
    if (a.hearingRef) {
      const h = requireRef(state.hearings, a.hearingRef, 'hearingRef', 'hearing');
      if (h.status === 'held') reject('CONFLICT', `hearingRef: hearing ${a.hearingRef} is already recorded as held`);
      if (h.kind !== a.kind) reject('PRECONDITION', `kind: hearing ${a.hearingRef} was scheduled as ${h.kind}`);
    }
    checkHearingDefendant(state, a);
  },
  apply: (state, { kind, at, suspectRef, hearingRef }, { now }) => {
    const ref = hearingRef ?? nextRef(state.counters, 'H');
    state.hearings[ref] = {
      ...state.hearings[ref],
      ref,
      kind,
      at,
      ...(suspectRef ? { suspectRef } : {}),
      status: 'held',
    };
    emit(state, 'hearing-held', { hearingRef: ref, kind, at, ...(suspectRef ? { suspectRef } : {}) }, now);
    return { result: { hearingRef: ref } };
  },
});

/** Why a defendant's proceedings are still open, in the words of a refusal. */
function stillOpen(d: Defendant): string {
  switch (d.status) {
    case 'awaiting-verdict':
      return 'awaiting a verdict';
    case 'severed':
      return 'severed, to be tried apart';
    case 'judged':
      return `appeal window open until ${d.appealUntil ?? 'its end'}`;
    case 'appealed':
      return 'before the appellate court';
    case 'final':
      return 'final';
    default: {
      const _exhaustive: never = d.status;
      return _exhaustive;
    }
  }
}

export const closeCase = command('closeCase', {
  summary: 'Close a judged case: every judgment final, nobody still in police detention.',
  move: { from: ['JUDGMENT'], to: 'CLOSED' },
  check: (state) => {
    const open = Object.values(state.defendants).filter((d) => d.status !== 'final');
    if (open.length > 0) {
      reject(
        'PRECONDITION',
        `the judgments of ${open.map((d) => `${d.suspectRef} (${stillOpen(d)})`).join(', ')} are not final: ` +
          'a case closes when every judgment is final',
      );
    }
    const held = Object.values(state.arrests).filter((a) => a.status === 'held');
    if (held.length > 0) {
      reject(
        'PRECONDITION',
        `arrests ${held.map((a) => a.ref).join(', ')} are still in police detention: release or remand first`,
      );
    }
  },
  apply: (state, _args, { now }) => {
    state.closedAt = iso(now);
    emit(state, 'case-closed', {}, now);
    return { result: { stage: state.stage }, effects: wrapUp(state, now) };
  },
});
