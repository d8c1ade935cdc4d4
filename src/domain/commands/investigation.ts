/** Opening, investigating and archiving a case: parties and places, under pseudonyms. */
import type { Agency } from '../actors';
import type { Official } from '../case';
import type { RecordedCaseArgs } from '../command-args';
import { toMs } from '../durations';
import { reject } from '../errors';
import { institutionOfAgency, restrictedAgencyOf } from '../officials';
import { emit } from '../outbox';
import { nextRef, type CaseState } from '../state';
import { openTask } from '../task-ops';
import { iso } from '../time';
import { checkCodes } from '../vocabulary';
import { wrapUp } from './closing';
import { command } from './define';

export const OFFICIAL_REVIEW_TASK = 'review-official';

export const startInvestigation = command('startInvestigation', {
  summary: 'Move an opened case into investigation.',
  move: { from: ['INTAKE'], to: 'INVESTIGATION' },
  apply: (state) => ({ result: { stage: state.stage } }),
});

export const assignProsecutor = command('assignProsecutor', {
  summary: 'Assign the lead prosecutor (a staff id).',
  apply: (state, { staffId }, { now }) => {
    state.leadProsecutor = { staffId };
    if (state.restrictedAgencies.includes('PROSECUTION')) clear(state, 'PROSECUTION', staffId);
    emit(state, 'prosecutor-assigned', { staffId }, now);
    return { result: { staffId } };
  },
});

function clear(state: CaseState, agency: Agency, staffId: string): void {
  const list = (state.clearedStaff[agency] ??= []);
  if (!list.includes(staffId)) list.push(staffId);
}

export const clearStaff = command('clearStaff', {
  summary: 'Clear a staff member of a restricted agency by name, so they may read and work this case.',
  check: (state, { agency, staffId }) => {
    if (state.clearedStaff[agency]?.includes(staffId)) {
      reject('CONFLICT', `staffId: ${staffId} of ${agency} is already cleared`);
    }
  },
  apply: (state, { agency, staffId }, { now }) => {
    clear(state, agency, staffId);
    emit(state, 'staff-cleared', { agency, staffId, cleared: true }, now);
    return { result: { agency, staffId, cleared: state.clearedStaff[agency]!.length } };
  },
});

export const revokeClearance = command('revokeClearance', {
  summary: 'Stop clearing a staff member of a restricted agency (the lead prosecutor stays cleared).',
  check: (state, { agency, staffId }) => {
    if (!state.clearedStaff[agency]?.includes(staffId)) {
      reject('UNKNOWN_REFERENCE', `staffId: ${staffId} of ${agency} is not cleared`);
    }
    if (agency === 'PROSECUTION' && state.leadProsecutor.staffId === staffId) {
      reject('PRECONDITION', 'staffId: the lead prosecutor stays cleared; assign another lead first');
    }
  },
  apply: (state, { agency, staffId }, { now }) => {
    state.clearedStaff[agency] = (state.clearedStaff[agency] ?? []).filter((s) => s !== staffId);
    emit(state, 'staff-cleared', { agency, staffId, cleared: false }, now);
    return { result: { agency, staffId, cleared: state.clearedStaff[agency]!.length } };
  },
});

/** An official as the case keeps it; one recorded by the agency they belonged to gets that agency's institution. */
function officialOf(given: NonNullable<RecordedCaseArgs<'addSuspect'>['official']>): Official {
  const institution = given.institution ?? (given.agency ? institutionOfAgency(given.agency) : 'other');
  const agency = restrictedAgencyOf(institution);
  return {
    institution,
    ...(given.institutionRef ? { institutionRef: given.institutionRef } : {}),
    current: given.current,
    ...(given.rank ? { rank: given.rank } : {}),
    ...(agency ? { agency } : {}),
  };
}

export const addSuspect = command('addSuspect', {
  summary:
    'Record an identified suspect; an official of any institution gets an OVERSIGHT review, and restricts ' +
    'the agency of the case that is their institution.',
  ref: 'suspectRef',
  check: (state, args) => checkCodes(state, 'suspectRoles', args.roles, 'args.roles'),
  apply: (state, { official: given, ...args }, { now, rules }) => {
    const ref = nextRef(state.counters, 'S');
    const official = given ? officialOf(given) : undefined;
    state.suspects[ref] = { ...args, ...(official ? { official } : {}), ref, addedAt: iso(now), charged: false };
    const agency = official?.agency;
    // Restrict before anything is emitted: the official's agency must not even learn of this suspect.
    // OVERSIGHT is never restricted, since it is the agency that watches the others.
    if (agency && agency !== 'OVERSIGHT' && !state.restrictedAgencies.includes(agency)) {
      state.restrictedAgencies.push(agency);
      // Someone must still be able to run the case when the prosecution itself is restricted.
      if (agency === 'PROSECUTION') clear(state, 'PROSECUTION', state.leadProsecutor.staffId);
    }
    emit(state, 'suspect-added', { suspectRef: ref, roles: args.roles, official: official !== undefined }, now);
    if (official) {
      emit(
        state,
        'conflict-of-interest',
        {
          suspectRef: ref,
          institution: official.institution,
          ...(official.institutionRef ? { institutionRef: official.institutionRef } : {}),
          current: official.current,
          ...(agency ? { agency } : {}),
        },
        now,
        { to: ['OVERSIGHT', 'PROSECUTION'] },
      );
      if (rules('oversight-reviews-every-official')) openOfficialReview(state, ref, official, now);
    }
    return { result: { suspectRef: ref } };
  },
});

/** OVERSIGHT reviews every official among the suspects, of whatever institution. */
function openOfficialReview(state: CaseState, suspectRef: string, official: Official, now: number): void {
  openTask(
    state,
    {
      kind: OFFICIAL_REVIEW_TASK,
      title: `Review official suspect ${suspectRef} (${official.institution}${official.current ? '' : ', former'})`,
      ref: suspectRef,
      assignee: 'OVERSIGHT',
      dueInMs: toMs(state.policy.task.defaultDue),
      remindBeforeMs: toMs(state.policy.task.remindBefore),
      // The lead hears of a review left undone.
      escalateTo: ['PROSECUTION'],
    },
    now,
  );
}

export const addVictim = command('addVictim', {
  summary: 'Record a victim under a pseudonym (V-n); a name, if given, stays encrypted in the case.',
  ref: 'victimRef',
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'V');
    state.victims[ref] = { ...args, ref, addedAt: iso(now) };
    emit(state, 'victim-added', { victimRef: ref, minor: args.minor, ageMonths: args.ageMonths, sex: args.sex }, now, {
      // Only minors concern child protection.
      to: args.minor ? ['PROSECUTION', 'POLICE', 'CHILD_PROTECTION'] : ['PROSECUTION', 'POLICE'],
    });
    return { result: { victimRef: ref } };
  },
});

export const addWitness = command('addWitness', {
  summary: 'Record a witness under a pseudonym (WT-n).',
  ref: 'witnessRef',
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'WT');
    state.witnesses[ref] = { ...args, ref, addedAt: iso(now) };
    emit(state, 'witness-added', { witnessRef: ref, protected: args.protected }, now);
    return { result: { witnessRef: ref } };
  },
});

export const addLocation = command('addLocation', {
  summary: 'Record a location of interest (L-n); the address stays encrypted in the case.',
  ref: 'locationRef',
  check: (state, args) => checkCodes(state, 'locationKinds', args.kind, 'args.kind'),
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'L');
    state.locations[ref] = { ...args, ref, addedAt: iso(now) };
    emit(state, 'location-added', { locationRef: ref, kind: args.kind, district: args.district }, now);
    return { result: { locationRef: ref } };
  },
});

export const archiveCase = command('archiveCase', {
  summary: 'Archive a case that will not go to charges.',
  move: { from: ['INTAKE', 'INVESTIGATION'], to: 'ARCHIVED' },
  apply: (state, { reason }, { now }) => {
    state.closedAt = iso(now);
    emit(state, 'case-archived', { reason }, now);
    return { result: { stage: state.stage }, effects: wrapUp(state, now) };
  },
});
