/** Opening, investigating and archiving a case: parties and places, under pseudonyms. */
import { z } from 'zod';
import { Agency, StaffId } from '../agencies';
import { LocationInput, SuspectInput, VictimInput, WitnessInput } from '../case';
import { reject } from '../errors';
import { emit } from '../outbox';
import type { CaseState } from '../state';
import { nextRef } from '../state';
import { wrapUp } from './closing';
import { command, moveStage } from './define';

export const startInvestigation = command({
  summary: 'Move an opened case into investigation.',
  args: z.object({}).strict(),
  apply: (state, _args, { now }) => {
    moveStage(state, 'INVESTIGATION', now);
    return { result: { stage: state.stage } };
  },
});

export const assignProsecutor = command({
  summary: 'Assign the lead prosecutor (a staff id).',
  args: z.object({ staffId: StaffId }).strict(),
  apply: (state, { staffId }, { now }) => {
    state.leadProsecutor = { staffId };
    if (state.restrictedAgencies.includes('PROSECUTION')) clear(state, 'PROSECUTION', staffId);
    emit(state, 'prosecutor-assigned', { staffId }, now);
    return { result: { staffId } };
  },
});

/** A vetted unit: staff of a restricted agency the prosecution clears by name to work the case. */
const Clearance = z
  .object({
    agency: Agency.refine((a) => a !== 'OVERSIGHT', 'OVERSIGHT is never restricted: it needs no clearance'),
    staffId: StaffId,
  })
  .strict();

function clear(state: CaseState, agency: Agency, staffId: string): void {
  const list = (state.clearedStaff[agency] ??= []);
  if (!list.includes(staffId)) list.push(staffId);
}

export const clearStaff = command({
  summary: 'Clear a staff member of a restricted agency by name, so they may read and work this case.',
  args: Clearance,
  check: (state, { agency, staffId }) => {
    if (state.clearedStaff[agency]?.includes(staffId)) reject('CONFLICT', `staffId: ${staffId} of ${agency} is already cleared`);
  },
  apply: (state, { agency, staffId }, { now }) => {
    clear(state, agency, staffId);
    emit(state, 'staff-cleared', { agency, staffId, cleared: true }, now);
    return { result: { agency, staffId, cleared: state.clearedStaff[agency]!.length } };
  },
});

export const revokeClearance = command({
  summary: 'Stop clearing a staff member of a restricted agency (the lead prosecutor stays cleared).',
  args: Clearance,
  check: (state, { agency, staffId }) => {
    if (!state.clearedStaff[agency]?.includes(staffId)) reject('UNKNOWN_REFERENCE', `staffId: ${staffId} of ${agency} is not cleared`);
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

export const addSuspect = command({
  summary: 'Record an identified suspect; an official or former official triggers OVERSIGHT.',
  args: SuspectInput,
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'S');
    state.suspects[ref] = { ...args, ref, addedAt: new Date(now).toISOString(), charged: false };
    const agency = args.official?.agency;
    // Restrict before anything is emitted: the official's agency must not even learn of this suspect.
    // OVERSIGHT is never restricted, since it is the agency that watches the others.
    if (agency && agency !== 'OVERSIGHT' && !state.restrictedAgencies.includes(agency)) {
      state.restrictedAgencies.push(agency);
      // Someone must still be able to run the case when the prosecution itself is restricted.
      if (agency === 'PROSECUTION') clear(state, 'PROSECUTION', state.leadProsecutor.staffId);
    }
    emit(state, 'suspect-added', { suspectRef: ref, roles: args.roles, official: args.official !== undefined }, now);
    if (args.official) {
      emit(state, 'conflict-of-interest', { suspectRef: ref, agency, current: args.official.current }, now, {
        to: ['OVERSIGHT', 'PROSECUTION'],
      });
    }
    return { result: { suspectRef: ref } };
  },
});

export const addVictim = command({
  summary: 'Record a victim under a pseudonym (V-n); a name, if given, stays encrypted in the case.',
  args: VictimInput,
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'V');
    state.victims[ref] = { ...args, ref, addedAt: new Date(now).toISOString() };
    emit(state, 'victim-added', { victimRef: ref, minor: args.minor, ageMonths: args.ageMonths, sex: args.sex }, now, {
      // Only minors concern child protection.
      to: args.minor ? ['PROSECUTION', 'POLICE', 'CHILD_PROTECTION'] : ['PROSECUTION', 'POLICE'],
    });
    return { result: { victimRef: ref } };
  },
});

export const addWitness = command({
  summary: 'Record a witness under a pseudonym (WT-n).',
  args: WitnessInput,
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'WT');
    state.witnesses[ref] = { ...args, ref, addedAt: new Date(now).toISOString() };
    emit(state, 'witness-added', { witnessRef: ref, protected: args.protected }, now);
    return { result: { witnessRef: ref } };
  },
});

export const addLocation = command({
  summary: 'Record a location of interest (L-n); the address stays encrypted in the case.',
  args: LocationInput,
  apply: (state, args, { now }) => {
    const ref = nextRef(state.counters, 'L');
    state.locations[ref] = { ...args, ref, addedAt: new Date(now).toISOString() };
    emit(state, 'location-added', { locationRef: ref, kind: args.kind, district: args.district }, now);
    return { result: { locationRef: ref } };
  },
});

export const archiveCase = command({
  summary: 'Archive a case that will not go to charges.',
  args: z.object({ reason: z.enum(['insufficient-evidence', 'no-offence', 'merged', 'other']) }).strict(),
  apply: (state, { reason }, { now }) => {
    moveStage(state, 'ARCHIVED', now);
    state.closedAt = new Date(now).toISOString();
    emit(state, 'case-archived', { reason }, now);
    return { result: { stage: state.stage }, effects: wrapUp(state, now) };
  },
});
