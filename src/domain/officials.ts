/**
 * Officials among the suspects: a suspect who is or was an official of any institution is OVERSIGHT's
 * business (a review task for every one), and when the institution is one of the case's agencies that
 * agency is restricted on the case (conflict of interest, access.ts). Other institutions (a municipality,
 * congress, the military) restrict nobody: the agencies of the case have no part in them. No zod here:
 * workflow code runs this module.
 */
import type { Agency } from './actors';

export const INSTITUTION_TYPES = [
  'police',
  'judiciary',
  'prosecution',
  'child-protection',
  'municipality',
  'regional-government',
  'congress',
  'military',
  'other',
] as const;
export type InstitutionType = (typeof INSTITUTION_TYPES)[number];

/** The agency of the case an institution is (and that its officials' suspicion restricts), if any. */
const AGENCY_OF: Partial<Record<InstitutionType, Agency>> = {
  police: 'POLICE',
  judiciary: 'JUDICIARY',
  prosecution: 'PROSECUTION',
  'child-protection': 'CHILD_PROTECTION',
};

/** Officials recorded by agency (before institutions): the institution that agency is. OVERSIGHT and PARTNER
 * name no institution of ours to restrict: recording a councillor as PARTNER restricted the partner NGO. */
const INSTITUTION_OF: Record<Agency, InstitutionType> = {
  POLICE: 'police',
  JUDICIARY: 'judiciary',
  PROSECUTION: 'prosecution',
  CHILD_PROTECTION: 'child-protection',
  OVERSIGHT: 'other',
  PARTNER: 'other',
};

/** The agency of the case restricted by an official of `institution`: OVERSIGHT, which watches, never is. */
export function restrictedAgencyOf(institution: InstitutionType): Agency | undefined {
  return AGENCY_OF[institution];
}

/** The institution of an official recorded by the agency they belonged to. */
export function institutionOfAgency(agency: Agency): InstitutionType {
  return INSTITUTION_OF[agency];
}
