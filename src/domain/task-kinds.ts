/**
 * The kinds of human task, and how each is done. Some tasks are decisions that only a command records
 * (a warrant is approved or denied with approveWarrant/denyWarrant, a lapsed detention is ruled on with
 * extendDetention/endDetention): the task closes when the command runs, and completing it by hand is
 * refused, since that would close the work without the decision. The others are done with completeTask
 * and an outcome code. The staff web app builds its task forms from this table.
 */
import type { CaseCommandName } from './permissions';

export interface TaskKindSpec {
  summary: string;
  /** Commands whose success closes the task; completeTask is refused for it. */
  resolvedBy?: readonly CaseCommandName[];
  /** Suggested outcome codes for completeTask (any short code is accepted). */
  outcomes?: readonly string[];
}

export const TASK_KINDS = {
  'decide-warrant': { summary: 'A judge decides a requested warrant.', resolvedBy: ['approveWarrant', 'denyWarrant'] },
  'release-or-extend': {
    summary: 'A detention limit lapsed (cases from before the lapse rule): a judge releases, remands or extends.',
    resolvedBy: ['extendDetention', 'endDetention'],
  },
  'release-detainee': {
    summary: 'A detention limit lapsed: the detention is unlawful, and release is the only lawful ruling.',
    resolvedBy: ['endDetention'],
  },
  'review-unlawful-detention': {
    summary: 'OVERSIGHT reviews a detention held past its limit (on the record from the limit to the release).',
    outcomes: ['referred-for-investigation', 'disciplinary-proceedings', 'no-further-action'],
  },
  'review-arrest': {
    summary: 'A judge reviews an arrest in flagrante: confirms it, or ends the detention.',
    resolvedBy: ['confirmArrest', 'endDetention'],
  },
  'review-official': {
    summary: 'OVERSIGHT reviews an official (of any institution) among the suspects.',
    outcomes: ['investigation-opened', 'referred-to-institution', 'no-conflict-found'],
  },
  'decide-appeal': {
    summary: 'The appellate court decides an appeal: upheld, overturned or retrial.',
    resolvedBy: ['decideAppeal'],
  },
  'file-charges': {
    summary: 'File charges within the legal window after the first arrest.',
    resolvedBy: ['fileCharges'],
  },
  'report-raid-locations': {
    summary: 'Report the outcome of every location of a raid.',
    resolvedBy: ['reportLocation'],
  },
  'accept-referral': { summary: 'Accept the protection referral of a rescued minor.', outcomes: ['accepted'] },
  'medical-exam': {
    summary: 'Carry out the medical exam of a rescued minor.',
    outcomes: ['examined', 'examined-malnourished', 'examined-referred-to-hospital'],
  },
  placement: {
    summary: 'Decide the placement of a rescued minor.',
    outcomes: ['residential-care-centre', 'foster-family', 'extended-family'],
  },
  'care-plan': { summary: 'Draw up the care plan of a rescued minor.', outcomes: ['care-plan-approved'] },
} as const satisfies Record<string, TaskKindSpec>;

export type TaskKind = keyof typeof TASK_KINDS;

export function taskKindSpec(kind: string): TaskKindSpec | undefined {
  return Object.prototype.hasOwnProperty.call(TASK_KINDS, kind) ? TASK_KINDS[kind as TaskKind] : undefined;
}
