/** Coordinated operations (raids), seizures with their custody chains, and rescued minors. */
import { clearancesOf } from '../access';
import { protectionWorkflowId, raidFigures, raidWorkflowId } from '../case-state';
import { reject } from '../errors';
import { emit } from '../outbox';
import { nextRef, type CaseState } from '../state';
import { iso } from '../time';
import { recordSystemEvents } from '../timeline';
import { command, requireRef, type ProtectionStart, type RaidStart } from './define';
import { figuresAfterRaid } from './detention';
import { checkPlace } from './places';
import { isWarrantValid } from './warrants';

/** The approved search warrants that cover a location at a given time. */
function coveringWarrants(state: CaseState, locationRef: string, at: number): string[] {
  return Object.values(state.warrants)
    .filter((w) => w.kind === 'search' && w.locationRefs.includes(locationRef) && isWarrantValid(state, w.ref, at))
    .map((w) => w.ref);
}

export const planRaid = command('planRaid', {
  summary: 'Plan a coordinated operation over locations; each needs an approved, unexpired search warrant.',
  move: { from: ['INVESTIGATION'], to: 'OPERATION' },
  ref: 'raidRef',
  check: (state, { locationRefs, startsAt }, { now }) => {
    const at = startsAt ? Date.parse(startsAt) : now;
    if (at < now - 60_000) reject('PRECONDITION', 'startsAt: must not be in the past');
    locationRefs.forEach((ref, i) => {
      requireRef(state.locations, ref, `locationRefs[${i}]`, 'location');
      if (coveringWarrants(state, ref, Math.max(at, now)).length === 0) {
        reject('PRECONDITION', `locationRefs[${i}]: no approved, unexpired search warrant covers ${ref}`);
      }
    });
  },
  apply: (state, { locationRefs, startsAt }, { now }) => {
    const ref = nextRef(state.counters, 'R');
    const at = startsAt ? Date.parse(startsAt) : now;
    const warrantRefs = [...new Set(locationRefs.flatMap((l) => coveringWarrants(state, l, at)))];
    const workflowId = raidWorkflowId(state.caseId, ref);
    state.raids[ref] = {
      ref,
      warrantRefs,
      locationRefs,
      startsAt: iso(at),
      status: 'planned',
      reports: {},
      workflowId,
    };
    emit(
      state,
      'raid-planned',
      { raidRef: ref, locationRefs, locationCount: locationRefs.length, startsAt: iso(at), warrantRefs },
      now,
    );
    const raid: RaidStart = {
      caseId: state.caseId,
      raidRef: ref,
      parentWorkflowId: state.workflowId,
      workflowId,
      locationRefs,
      startsAt: iso(at),
      policy: state.policy,
      restrictedAgencies: [...state.restrictedAgencies],
      clearedStaff: clearancesOf(state),
    };
    return { result: { raidRef: ref, warrantRefs, workflowId }, effects: [{ kind: 'start-raid', raid }] };
  },
});

export const reportLocation = command('reportLocation', {
  summary:
    "Report one raid location's outcome; where the raid found no one (empty, aborted, no-entry) nothing is " +
    'arrested, seized or rescued.',
  ref: 'raidRef',
  detail: ({ locationRef, outcome }) => ({ locationRef, outcome }),
  check: (state, { raidRef, locationRef }) => {
    const raid = requireRef(state.raids, raidRef, 'raidRef', 'raid');
    if (!raid.locationRefs.includes(locationRef)) {
      reject('UNKNOWN_REFERENCE', `locationRef: ${locationRef} is not a location of raid ${raidRef}`);
    }
    if (raid.reports[locationRef]) {
      reject('CONFLICT', `locationRef: ${locationRef} of raid ${raidRef} already reported`);
    }
    if (raid.status !== 'planned') reject('CONFLICT', `raidRef: raid ${raidRef} is already ${raid.status}`);
  },
  apply: (state, { raidRef, locationRef, outcome }, { now }) => {
    const raid = state.raids[raidRef]!;
    raid.reports[locationRef] = { at: iso(now), outcome };
    const reported = Object.keys(raid.reports).length;
    emit(state, 'location-reported', { raidRef, locationRef, outcome, reported, total: raid.locationRefs.length }, now);
    return {
      result: { raidRef, reported, total: raid.locationRefs.length },
      effects: [{ kind: 'report-to-raid', workflowId: raid.workflowId, locationRef }],
    };
  },
});

/**
 * Folds a finished operation's figures back into the case, once every one of its locations has reported
 * to the case. Returns false (and changes nothing) for an unknown raid, one already completed, or one
 * with locations still to report: the case trusts its own record, not whoever says the raid is over.
 */
export function onRaidCompleted(state: CaseState, raidRef: string, now: number): boolean {
  const raid = Object.prototype.hasOwnProperty.call(state.raids, raidRef) ? state.raids[raidRef] : undefined;
  if (!raid || raid.status === 'completed') return false;
  const missing = raid.locationRefs.filter((l) => !raid.reports[l]);
  if (missing.length > 0) return false;
  raid.status = 'completed';
  const firstNewEvent = state.counters.event + 1;
  const outcomes = Object.values(raid.reports).map((r) => r.outcome);
  emit(
    state,
    'raid-completed',
    {
      raidRef,
      locationCount: raid.locationRefs.length,
      reported: Object.keys(raid.reports).length,
      missing,
      secured: outcomes.filter((o) => o === 'secured' || o === 'hostile').length,
      ...raidFigures(state, raidRef),
    },
    now,
  );
  recordSystemEvents(state, firstNewEvent, now);
  return true;
}

export const recordSeizure = command('recordSeizure', {
  summary: 'Record a seized item; its custody chain starts with the seizing agency.',
  ref: 'itemRef',
  check: (state, args) => checkPlace(state, args, 'seizure'),
  apply: (state, { heldBy, ...args }, { now, actor }) => {
    const ref = nextRef(state.counters, 'E');
    const holder = { agency: actor.agency, ...((heldBy ?? actor.staffId) ? { staffId: heldBy ?? actor.staffId } : {}) };
    state.items[ref] = { ref, ...args, seizedAt: iso(now), custody: [{ at: iso(now), to: holder, reason: 'seized' }] };
    emit(
      state,
      'item-seized',
      { itemRef: ref, kind: args.kind, raidRef: args.raidRef, locationRef: args.locationRef, heldBy: holder },
      now,
    );
    figuresAfterRaid(state, args.raidRef, now);
    return { result: { itemRef: ref } };
  },
});

export const transferCustody = command('transferCustody', {
  summary: 'Hand a seized item to another holder; only the current holder agency may do so.',
  ref: 'itemRef',
  check: (state, { itemRef }, { actor }) => {
    const item = requireRef(state.items, itemRef, 'itemRef', 'seized item');
    const holder = item.custody[item.custody.length - 1]!.to;
    if (holder.agency !== actor.agency) {
      reject('NOT_PERMITTED', `itemRef: ${itemRef} is held by ${holder.agency}; only the holder may transfer it`);
    }
  },
  apply: (state, { itemRef, to, reason }, { now }) => {
    const item = state.items[itemRef]!;
    const from = item.custody[item.custody.length - 1]!.to;
    item.custody.push({ at: iso(now), from, to, reason });
    emit(state, 'custody-transferred', { itemRef, from, to, reason, transferCount: item.custody.length - 1 }, now);
    return { result: { itemRef, custodyLength: item.custody.length } };
  },
});

export const rescueMinor = command('rescueMinor', {
  summary: 'Take a minor victim into protective custody and refer them to CHILD_PROTECTION.',
  ref: 'victimRef',
  check: (state, args) => {
    const victim = requireRef(state.victims, args.victimRef, 'victimRef', 'victim');
    if (!victim.minor) reject('PRECONDITION', `victimRef: ${args.victimRef} is not recorded as a minor`);
    if (victim.custody) reject('CONFLICT', `victimRef: ${args.victimRef} is already in protective custody`);
    checkPlace(state, args, 'rescue');
  },
  apply: (state, { victimRef, custodyRef, raidRef }, { now }) => {
    const victim = state.victims[victimRef]!;
    const workflowId = protectionWorkflowId(state.caseId, victimRef);
    victim.custody = {
      takenAt: iso(now),
      custodyRef,
      protectionWorkflowId: workflowId,
      ...(raidRef ? { raidRef } : {}),
    };
    emit(
      state,
      'minor-rescued',
      {
        victimRef,
        ageMonths: victim.ageMonths,
        sex: victim.sex,
        custodyRef,
        raidRef,
        protectionWorkflowId: workflowId,
        minorsRescued: 1,
      },
      now,
    );
    const protection: ProtectionStart = {
      caseId: state.caseId,
      victimRef,
      workflowId,
      ...(victim.ageMonths !== undefined ? { ageMonths: victim.ageMonths } : {}),
      custodyRef,
      takenAt: iso(now),
      policy: state.policy,
      restrictedAgencies: [...state.restrictedAgencies],
      clearedStaff: clearancesOf(state),
    };
    figuresAfterRaid(state, raidRef, now);
    return {
      result: { victimRef, protectionWorkflowId: workflowId },
      effects: [{ kind: 'start-protection', protection }],
    };
  },
});
