/** Charges, trial, hearings, verdict and closure. */
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef } from '../state';
import { completeTaskFor } from '../task-ops';
import { iso } from '../time';
import { wrapUp } from './closing';
import { command, requireRef } from './define';
import { CHARGE_TASK } from './detention';

export const fileCharges = command('fileCharges', {
  summary: 'File charges against identified suspects.',
  // Charges need identified suspects, not arrests: a suspect who fled the raid is charged too.
  move: { from: ['INVESTIGATION', 'OPERATION', 'DETENTION'], to: 'PROSECUTION' },
  ref: 'chargeRef',
  check: (state, { suspectRefs }) => {
    suspectRefs.forEach((r, i) => requireRef(state.suspects, r, `suspectRefs[${i}]`, 'suspect'));
  },
  apply: (state, { suspectRefs, offences }, { now }) => {
    const ref = nextRef(state.counters, 'C');
    state.charges[ref] = { ref, suspectRefs, offences, filedAt: iso(now) };
    for (const s of suspectRefs) state.suspects[s]!.charged = true;
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

export const scheduleHearing = command('scheduleHearing', {
  summary: 'Schedule a hearing.',
  ref: 'hearingRef',
  apply: (state, { kind, at }, { now }) => {
    const ref = nextRef(state.counters, 'H');
    state.hearings[ref] = { ref, kind, at };
    emit(state, 'hearing-scheduled', { hearingRef: ref, kind, at }, now);
    return { result: { hearingRef: ref } };
  },
});

export const recordVerdict = command('recordVerdict', {
  summary: 'Record the verdict (and sentence) for each charged suspect.',
  move: { from: ['TRIAL'], to: 'JUDGMENT' },
  check: (state, { verdicts }) => {
    const seen = new Set<string>();
    verdicts.forEach((v, i) => {
      if (seen.has(v.suspectRef)) {
        reject('INVALID_ARGUMENTS', `verdicts[${i}].suspectRef: ${v.suspectRef} already has a verdict here`);
      }
      seen.add(v.suspectRef);
      const suspect = requireRef(state.suspects, v.suspectRef, `verdicts[${i}].suspectRef`, 'suspect');
      if (!suspect.charged) reject('PRECONDITION', `verdicts[${i}].suspectRef: ${v.suspectRef} was never charged`);
      if (v.outcome === 'acquitted' && v.sentenceMonths !== undefined) {
        reject('INVALID_ARGUMENTS', `verdicts[${i}].sentenceMonths: an acquittal carries no sentence`);
      }
    });
  },
  apply: (state, { verdicts }, { now }) => {
    const at = iso(now);
    state.verdicts.push(...verdicts.map((v) => ({ ...v, at })));
    const convicted = verdicts.filter((v) => v.outcome === 'convicted').length;
    emit(state, 'verdict-recorded', { verdicts, convicted, acquitted: verdicts.length - convicted }, now);
    return { result: { convicted, acquitted: verdicts.length - convicted } };
  },
});

export const closeCase = command('closeCase', {
  summary: 'Close a judged case; nobody may still be in police detention.',
  move: { from: ['JUDGMENT'], to: 'CLOSED' },
  check: (state) => {
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
