/**
 * Deadline policy as data: the defaults and the legal bounds. No zod here: workflow code runs this
 * module; the schema that validates a deployment's policy, and `resolvePolicy`, are in policy.ts.
 */
import type { DeadlinePolicy } from './policy';
import { toMs } from './durations';

export const OFFENCE_CLASSES = ['trafficking', 'organized-crime', 'child-sale', 'illegal-abortion', 'other'] as const;
export type OffenceClass = (typeof OFFENCE_CLASSES)[number];

export const DEFAULT_POLICY: DeadlinePolicy = {
  version: 1,
  detention: {
    limit: {
      trafficking: '48h',
      'organized-crime': '15d',
      'child-sale': '48h',
      'illegal-abortion': '48h',
      other: '48h',
    },
    warnBefore: '6h',
    extension: '7d',
  },
  warrantValidity: '7d',
  raidReportWindow: '6h',
  chargeFilingWindow: '30d',
  childProtection: { referralAcceptance: '6h', medicalExam: '24h', placement: '72h', carePlan: '30d' },
  task: { defaultDue: '3d', remindBefore: '2h' },
};

/** A fresh copy of the defaults, for a case opened without a policy (its state must not share them). */
export function defaultPolicy(): DeadlinePolicy {
  return JSON.parse(JSON.stringify(DEFAULT_POLICY)) as DeadlinePolicy;
}

/**
 * The legal ceilings a deployment's policy must stay within (Peruvian procedure, as in the reference
 * case: police detention up to 15 days for trafficking and organised crime, and so on). A policy may be
 * stricter, never looser; a judge's warrant validity or detention extension is bounded by the policy.
 */
const LEGAL_BOUNDS = {
  'detention.limit': '15d',
  'detention.warnBefore': '2d',
  'detention.extension': '30d',
  warrantValidity: '30d',
  raidReportWindow: '7d',
  chargeFilingWindow: '365d',
  'childProtection.referralAcceptance': '24h',
  'childProtection.medicalExam': '72h',
  'childProtection.placement': '30d',
  'childProtection.carePlan': '180d',
  'task.defaultDue': '30d',
  'task.remindBefore': '7d',
} as const;

/** Where a policy exceeds a legal bound: `path: must be at most X (legal bound)`, or none. */
export function boundViolations(policy: DeadlinePolicy): string[] {
  const out: string[] = [];
  const check = (path: string, value: string, bound: string) => {
    if (toMs(value) > toMs(bound)) out.push(`${path}: must be at most ${bound} (legal bound)`);
  };
  for (const [cls, d] of Object.entries(policy.detention.limit)) {
    check(`detention.limit.${cls}`, d, LEGAL_BOUNDS['detention.limit']);
  }
  check('detention.warnBefore', policy.detention.warnBefore, LEGAL_BOUNDS['detention.warnBefore']);
  check('detention.extension', policy.detention.extension, LEGAL_BOUNDS['detention.extension']);
  check('warrantValidity', policy.warrantValidity, LEGAL_BOUNDS.warrantValidity);
  check('raidReportWindow', policy.raidReportWindow, LEGAL_BOUNDS.raidReportWindow);
  check('chargeFilingWindow', policy.chargeFilingWindow, LEGAL_BOUNDS.chargeFilingWindow);
  for (const k of ['referralAcceptance', 'medicalExam', 'placement', 'carePlan'] as const) {
    check(`childProtection.${k}`, policy.childProtection[k], LEGAL_BOUNDS[`childProtection.${k}`]);
  }
  check('task.defaultDue', policy.task.defaultDue, LEGAL_BOUNDS['task.defaultDue']);
  check('task.remindBefore', policy.task.remindBefore, LEGAL_BOUNDS['task.remindBefore']);
  return out;
}
