/** Short paths to a case in a given stage, for tests that are about what happens next. */
import type { CaseService } from '../../src/temporal/case-service';
import type { Actor } from '../../src/domain/agencies';

/** People as the gateway builds them from verified tokens (these tests drive Temporal directly). */
export const PROSECUTION: Actor = {
  agency: 'PROSECUTION',
  staffId: 'fiscal-1',
  roles: ['prosecutor'],
  subject: 'u-fiscal-1',
};
export const POLICE: Actor = {
  agency: 'POLICE',
  staffId: 'officer-1',
  roles: ['police-officer'],
  subject: 'u-officer-1',
};
export const JUDGE: Actor = { agency: 'JUDICIARY', staffId: 'judge-1', roles: ['judge'], subject: 'u-judge-1' };
export const CARE: Actor = {
  agency: 'CHILD_PROTECTION',
  staffId: 'social-1',
  roles: ['social-worker'],
  subject: 'u-social-1',
};
export const OVERSIGHT: Actor = {
  agency: 'OVERSIGHT',
  staffId: 'integrity-1',
  roles: ['oversight-investigator'],
  subject: 'u-integrity-1',
};

export const smallCase = (caseId: string) => ({
  caseId,
  codename: 'TESTCASE',
  jurisdiction: 'PE-LIM',
  crimeTypes: ['human-trafficking'],
  leadProsecutor: { staffId: 'fiscal-1' },
});

/** Open → investigation with `suspects` suspects and `locations` locations. */
export async function investigating(
  cases: CaseService,
  caseId: string,
  opts: { suspects?: number; locations?: number } = {},
) {
  await cases.open(PROSECUTION, smallCase(caseId));
  await cases.command(caseId, 'startInvestigation', PROSECUTION);
  const suspects: string[] = [];
  const locations: string[] = [];
  for (let i = 0; i < (opts.suspects ?? 1); i++) {
    suspects.push(
      String(
        (await cases.command(caseId, 'addSuspect', PROSECUTION, { name: `Suspect ${i}`, roles: ['member'] }))
          .suspectRef,
      ),
    );
  }
  for (let i = 0; i < (opts.locations ?? 1); i++) {
    locations.push(
      String((await cases.command(caseId, 'addLocation', POLICE, { kind: 'home', district: 'Cercado' })).locationRef),
    );
  }
  return { suspects, locations };
}

/**
 * ...then a search warrant over every location and an arrest warrant naming every suspect, approved, and a raid
 * planned over the locations (arrests cite `arrestWarrantRef`).
 */
export async function raided(cases: CaseService, caseId: string, opts: { suspects?: number; locations?: number } = {}) {
  const parties = await investigating(cases, caseId, opts);
  const { warrantRef } = await cases.command(caseId, 'requestWarrant', PROSECUTION, {
    kind: 'search',
    locationRefs: parties.locations,
  });
  await cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef });
  const arrest = await cases.command(caseId, 'requestWarrant', PROSECUTION, {
    kind: 'arrest',
    suspectRefs: parties.suspects,
  });
  await cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef: arrest.warrantRef });
  const { raidRef } = await cases.command(caseId, 'planRaid', POLICE, { locationRefs: parties.locations });
  return {
    ...parties,
    raidRef: String(raidRef),
    warrantRef: String(warrantRef),
    arrestWarrantRef: String(arrest.warrantRef),
  };
}
