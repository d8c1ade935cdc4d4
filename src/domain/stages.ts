/** The stage machine of a case. Stages only move forward; ARCHIVED and CLOSED are final. */
import { z } from 'zod';

export const STAGES = [
  'INTAKE',
  'INVESTIGATION',
  'OPERATION',
  'DETENTION',
  'PROSECUTION',
  'TRIAL',
  'JUDGMENT',
  'CLOSED',
  'ARCHIVED',
] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const FINAL_STAGES: readonly Stage[] = ['CLOSED', 'ARCHIVED'];

/** Where each stage may lead. Investigation goes on in parallel in later stages; that is a
 * permission of commands (see commands.ts), not a stage of its own. */
export const TRANSITIONS: Record<Stage, readonly Stage[]> = {
  INTAKE: ['INVESTIGATION', 'ARCHIVED'],
  INVESTIGATION: ['OPERATION', 'DETENTION', 'PROSECUTION', 'ARCHIVED'],
  OPERATION: ['DETENTION', 'PROSECUTION'],
  DETENTION: ['PROSECUTION'],
  PROSECUTION: ['TRIAL'],
  TRIAL: ['JUDGMENT'],
  JUDGMENT: ['CLOSED'],
  CLOSED: [],
  ARCHIVED: [],
};

export function canMove(from: Stage, to: Stage): boolean {
  return TRANSITIONS[from].includes(to);
}

export function stageIndex(stage: Stage): number {
  return STAGES.indexOf(stage);
}

/** Stages from `first` up to (not including) the final ones. */
export function stagesFrom(first: Stage): Stage[] {
  return STAGES.slice(stageIndex(first), STAGES.indexOf('CLOSED'));
}
