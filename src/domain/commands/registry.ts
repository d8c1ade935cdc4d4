/** Every case command, by name: its stage move, reference, preconditions and state change (see define.ts). */
import type { CaseArgs } from '../command-args';
import type { CaseCommandName } from '../permissions';
import type { CommandDef } from './define';
import { endDetention, extendDetention, recordArrest } from './detention';
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
import { closeCase, fileCharges, openTrial, recordVerdict, scheduleHearing } from './trial';
import { approveWarrant, denyWarrant, requestWarrant } from './warrants';

export const CASE_COMMAND_DEFS: { readonly [N in CaseCommandName]: CommandDef<CaseArgs<N>> } = {
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
  extendDetention,
  endDetention,
  recordSeizure,
  transferCustody,
  rescueMinor,
  fileCharges,
  openTrial,
  scheduleHearing,
  recordVerdict,
  closeCase,
  archiveCase,
};

export const CASE_COMMAND_NAMES = Object.keys(CASE_COMMAND_DEFS) as CaseCommandName[];

export function isCaseCommand(name: string): name is CaseCommandName {
  return Object.prototype.hasOwnProperty.call(CASE_COMMAND_DEFS, name);
}

/** A command's definition, for code that holds its name but not its argument type. */
export function commandDef(name: CaseCommandName): CommandDef {
  return CASE_COMMAND_DEFS[name] as CommandDef;
}
