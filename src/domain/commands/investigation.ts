/** Opening, investigating and archiving a case: parties and places, under pseudonyms. */
import { z } from 'zod';
import { Actor } from '../agencies';
import { LocationInput, SuspectInput, VictimInput, WitnessInput } from '../case';
import { emit } from '../outbox';
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
  args: z.object({ staffId: Actor.shape.staffId.unwrap() }).strict(),
  apply: (state, { staffId }, { now }) => {
    state.leadProsecutor = { staffId };
    emit(state, 'prosecutor-assigned', { staffId }, now);
    return { result: { staffId } };
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
    if (agency && agency !== 'OVERSIGHT' && !state.restrictedAgencies.includes(agency))
      state.restrictedAgencies.push(agency);
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
