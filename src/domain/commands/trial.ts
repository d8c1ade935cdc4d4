/** Charges, trial, hearings, verdict and closure. */
import { z } from 'zod';
import { CrimeType, Iso, SuspectRef } from '../case';
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef } from '../state';
import { completeTaskFor } from '../task-ops';
import { wrapUp } from './closing';
import { command, iso, moveStage, requireRef } from './define';
import { CHARGE_TASK } from './detention';

export const fileCharges = command({
  summary: 'File charges against identified suspects.',
  args: z
    .object({
      suspectRefs: z.array(SuspectRef).min(1, 'must name at least one identified suspect').max(100),
      offences: z.array(CrimeType).min(1, 'must name at least one offence').max(10),
    })
    .strict(),
  check: (state, { suspectRefs }) => {
    suspectRefs.forEach((r, i) => requireRef(state.suspects, r, `suspectRefs[${i}]`, 'suspect'));
  },
  apply: (state, { suspectRefs, offences }, { now }) => {
    const ref = nextRef(state.counters, 'C');
    state.charges[ref] = { ref, suspectRefs, offences, filedAt: iso(now) };
    for (const s of suspectRefs) state.suspects[s]!.charged = true;
    if (state.stage !== 'PROSECUTION') moveStage(state, 'PROSECUTION', now);
    completeTaskFor(state, CHARGE_TASK, state.caseId, `charges ${ref}`, now);
    emit(state, 'charges-filed', { chargeRef: ref, suspectRefs, offences }, now);
    return { result: { chargeRef: ref } };
  },
});

export const openTrial = command({
  summary: 'Open the trial on the filed charges.',
  args: z.object({}).strict(),
  check: (state) => {
    if (Object.keys(state.charges).length === 0)
      reject('PRECONDITION', 'no charges have been filed: a trial needs charges');
  },
  apply: (state, _args, { now }) => {
    moveStage(state, 'TRIAL', now);
    emit(state, 'trial-opened', { chargeRefs: Object.keys(state.charges) }, now);
    return { result: { stage: state.stage } };
  },
});

export const scheduleHearing = command({
  summary: 'Schedule a hearing.',
  args: z.object({ kind: z.enum(['preliminary', 'detention', 'trial', 'sentencing']), at: Iso }).strict(),
  apply: (state, { kind, at }, { now }) => {
    const ref = nextRef(state.counters, 'H');
    state.hearings[ref] = { ref, kind, at };
    emit(state, 'hearing-scheduled', { hearingRef: ref, kind, at }, now);
    return { result: { hearingRef: ref } };
  },
});

export const recordVerdict = command({
  summary: 'Record the verdict (and sentence) for each charged suspect.',
  args: z
    .object({
      verdicts: z
        .array(
          z
            .object({
              suspectRef: SuspectRef,
              outcome: z.enum(['convicted', 'acquitted']),
              sentenceMonths: z.number().int().min(0).max(1200).optional(),
            })
            .strict(),
        )
        .min(1, 'must give at least one verdict')
        .max(100),
    })
    .strict(),
  check: (state, { verdicts }) => {
    const seen = new Set<string>();
    verdicts.forEach((v, i) => {
      if (seen.has(v.suspectRef))
        reject('INVALID_ARGUMENTS', `verdicts[${i}].suspectRef: ${v.suspectRef} already has a verdict here`);
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
    moveStage(state, 'JUDGMENT', now);
    const convicted = verdicts.filter((v) => v.outcome === 'convicted').length;
    emit(state, 'verdict-recorded', { verdicts, convicted, acquitted: verdicts.length - convicted }, now);
    return { result: { convicted, acquitted: verdicts.length - convicted } };
  },
});

export const closeCase = command({
  summary: 'Close a judged case; nobody may still be in police detention.',
  args: z.object({}).strict(),
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
    moveStage(state, 'CLOSED', now);
    state.closedAt = iso(now);
    emit(state, 'case-closed', {}, now);
    return { result: { stage: state.stage }, effects: wrapUp(state, now) };
  },
});
