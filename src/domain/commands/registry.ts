/** Every case command, by name: its stage move, reference, preconditions and state change (see define.ts). */
import type { CaseArgs, RecordedCaseArgs } from '../command-args';
import type { CaseCommandName } from '../permissions';
import type { CommandDef } from './define';
import { confirmArrest, endDetention, extendDetention, recordArrest } from './detention';
import {
  addLocation,
  addSuspect,
  addVictim,
  addWitness,
  archiveCase,
  assignProsecutor,
  clearStaff,
  revokeClearance,
  startInvestigation,
} from './investigation';
import { planRaid, recordSeizure, reportLocation, rescueMinor, transferCustody } from './operation';
import { decideAppeal, lodgeAppeal, recordVerdict, severDefendant, waiveAppeal } from './judgment';
import { closeCase, fileCharges, openTrial, recordHearing, scheduleHearing } from './trial';
import { approveWarrant, denyWarrant, requestWarrant } from './warrants';

export const CASE_COMMAND_DEFS: { readonly [N in CaseCommandName]: CommandDef<CaseArgs<N>, RecordedCaseArgs<N>> } = {
  startInvestigation,
  assignProsecutor,
  clearStaff,
  revokeClearance,
  addSuspect,
  addVictim,
  addWitness,
  addLocation,
  requestWarrant,
  approveWarrant,
  denyWarrant,
  planRaid,
  reportLocation,
  recordArrest,
  confirmArrest,
  extendDetention,
  endDetention,
  recordSeizure,
  transferCustody,
  rescueMinor,
  fileCharges,
  openTrial,
  scheduleHearing,
  recordHearing,
  recordVerdict,
  severDefendant,
  lodgeAppeal,
  decideAppeal,
  waiveAppeal,
  closeCase,
  archiveCase,
};

export const CASE_COMMAND_NAMES = Object.keys(CASE_COMMAND_DEFS) as CaseCommandName[];

export function isCaseCommand(name: string): name is CaseCommandName {
  return Object.prototype.hasOwnProperty.call(CASE_COMMAND_DEFS, name);
}

/** A command's definition, for code that holds its name but not its argument type. */
export function commandDef(name: CaseCommandName): CommandDef {
  return CASE_COMMAND_DEFS[name] as unknown as CommandDef;
}
