/**
 * The stages of a case, in the order a case normally goes through them. Which moves between them exist
 * is declared by the commands that make them (src/domain/lifecycle.ts derives the machine from those
 * declarations); stages only move forward, and ARCHIVED and CLOSED are final.
 */
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
export type Stage = (typeof STAGES)[number];

export const FINAL_STAGES: readonly Stage[] = ['CLOSED', 'ARCHIVED'];

export function isFinal(stage: Stage): boolean {
  return FINAL_STAGES.includes(stage);
}

/** Stages from `first` up to (not including) the final ones. */
export function stagesFrom(first: Stage): Stage[] {
  return STAGES.slice(STAGES.indexOf(first), STAGES.indexOf('CLOSED'));
}
