/** Where an arrest, a seizure or a rescue happened, and what the raid found there. */
import type { LocationOutcome, Raid } from '../case';
import { reject } from '../errors';
import type { CaseState } from '../state';
import { requireRef } from './define';

/** Outcomes of a location where the raid found no one, or did not get in: nothing is recorded there. */
export const BARRED_OUTCOMES: readonly LocationOutcome[] = ['empty', 'aborted', 'no-entry'];

interface Found {
  raidRef: string;
  at: string;
  outcome: LocationOutcome;
}

function reportOf(raid: Raid, locationRef: string): Found | undefined {
  const report = Object.prototype.hasOwnProperty.call(raid.reports, locationRef)
    ? raid.reports[locationRef]
    : undefined;
  return report ? { raidRef: raid.ref, ...report } : undefined;
}

/** The latest report of a location, whichever raid made it (a later raid may find what an earlier one did not). */
function latestReport(state: CaseState, locationRef: string): Found | undefined {
  let latest: Found | undefined;
  for (const raid of Object.values(state.raids)) {
    const found = reportOf(raid, locationRef);
    if (found && (!latest || found.at >= latest.at)) latest = found;
  }
  return latest;
}

/**
 * The raid and location of a record exist, the location is one of the raid's, and the raid did not report it
 * empty, aborted or without entry (then nobody was arrested, nothing seized, no one rescued there). Without a
 * raid, the location's latest report counts. Pure: validators call it.
 */
export function checkPlace(state: CaseState, a: { raidRef?: string; locationRef?: string }, what: string): void {
  const raid = a.raidRef ? requireRef(state.raids, a.raidRef, 'raidRef', 'raid') : undefined;
  if (!a.locationRef) return;
  const locationRef = a.locationRef;
  requireRef(state.locations, locationRef, 'locationRef', 'location');
  if (raid && !raid.locationRefs.includes(locationRef)) {
    reject('UNKNOWN_REFERENCE', `locationRef: ${locationRef} is not a location of raid ${raid.ref}`);
  }
  const found = raid ? reportOf(raid, locationRef) : latestReport(state, locationRef);
  if (found && BARRED_OUTCOMES.includes(found.outcome)) {
    reject(
      'PRECONDITION',
      `locationRef: raid ${found.raidRef} reported ${locationRef} ${found.outcome}: no ${what} is recorded there`,
    );
  }
}
