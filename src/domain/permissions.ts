/**
 * The permission matrix: which agency may issue which command, at which stages. Data, not ifs: the
 * validators read this table, `cases commands` prints it, and tests check it row by row.
 */
import type { Agency } from './agencies';
import { stagesFrom, type Stage } from './stages';

export interface Permission {
  agencies: readonly Agency[];
  stages: readonly Stage[];
}

/** Every stage before the final ones. */
const OPEN: readonly Stage[] = stagesFrom('INTAKE');
/** Investigation goes on after arrests and into prosecution: new suspects, locations, operations. */
const INVESTIGATING: readonly Stage[] = ['INTAKE', 'INVESTIGATION', 'OPERATION', 'DETENTION', 'PROSECUTION'];
const OPERATIONAL: readonly Stage[] = ['INVESTIGATION', 'OPERATION', 'DETENTION', 'PROSECUTION'];
const AFTER_RAID: readonly Stage[] = ['OPERATION', 'DETENTION', 'PROSECUTION'];
const DETAINED: readonly Stage[] = ['OPERATION', 'DETENTION', 'PROSECUTION', 'TRIAL', 'JUDGMENT'];

export const PERMISSIONS = {
  startInvestigation: { agencies: ['PROSECUTION'], stages: ['INTAKE'] },
  assignProsecutor: { agencies: ['PROSECUTION'], stages: OPEN },
  addSuspect: { agencies: ['PROSECUTION', 'POLICE'], stages: INVESTIGATING },
  addVictim: { agencies: ['PROSECUTION', 'POLICE', 'CHILD_PROTECTION'], stages: [...INVESTIGATING, 'TRIAL'] },
  addWitness: { agencies: ['PROSECUTION', 'POLICE'], stages: [...INVESTIGATING, 'TRIAL'] },
  addLocation: { agencies: ['PROSECUTION', 'POLICE'], stages: INVESTIGATING },
  requestWarrant: { agencies: ['PROSECUTION'], stages: OPERATIONAL },
  approveWarrant: { agencies: ['JUDICIARY'], stages: OPERATIONAL },
  denyWarrant: { agencies: ['JUDICIARY'], stages: OPERATIONAL },
  planRaid: { agencies: ['PROSECUTION', 'POLICE'], stages: OPERATIONAL },
  reportLocation: { agencies: ['POLICE'], stages: AFTER_RAID },
  recordArrest: { agencies: ['POLICE'], stages: AFTER_RAID },
  extendDetention: { agencies: ['JUDICIARY'], stages: DETAINED },
  endDetention: { agencies: ['JUDICIARY'], stages: DETAINED },
  recordSeizure: { agencies: ['POLICE'], stages: AFTER_RAID },
  transferCustody: { agencies: ['POLICE', 'PROSECUTION', 'JUDICIARY'], stages: DETAINED },
  rescueMinor: { agencies: ['POLICE', 'CHILD_PROTECTION'], stages: ['INVESTIGATION', ...AFTER_RAID, 'TRIAL'] },
  fileCharges: { agencies: ['PROSECUTION'], stages: ['INVESTIGATION', 'DETENTION', 'PROSECUTION'] },
  openTrial: { agencies: ['JUDICIARY'], stages: ['PROSECUTION'] },
  scheduleHearing: { agencies: ['JUDICIARY'], stages: ['DETENTION', 'PROSECUTION', 'TRIAL'] },
  recordVerdict: { agencies: ['JUDICIARY'], stages: ['TRIAL'] },
  closeCase: { agencies: ['PROSECUTION'], stages: ['JUDGMENT'] },
  archiveCase: { agencies: ['PROSECUTION'], stages: ['INTAKE', 'INVESTIGATION'] },
} as const satisfies Record<string, Permission>;

export type CaseCommandName = keyof typeof PERMISSIONS;
