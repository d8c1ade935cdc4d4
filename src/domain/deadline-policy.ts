/**
 * The case policy as data: deadlines and vocabulary, their defaults and the legal bounds. No zod here:
 * workflow code runs this module; the schema that validates a deployment's policy, and `resolvePolicy`,
 * are in policy.ts. A case runs under the policy it opened with (its workflow input), so a deployment
 * may change its file without changing the rules of cases already open.
 */
import type { DeadlinePolicy, RecordedPolicy } from './policy';
import { toMs } from './durations';

/**
 * What the parties, places and offences of a case may be called: codes, not free text, so that events,
 * figures and forms agree. A deployment's policy file may replace any list (CASE_POLICY_FILE); a case
 * keeps the vocabulary it opened with.
 */
export interface Vocabulary {
  suspectRoles: string[];
  locationKinds: string[];
  /**
   * Classes of offence an arrest is made for (each has a police detention limit in the policy). Aligned
   * with the purposes of exploitation of the UN Trafficking Protocol (art. 3: sexual exploitation, forced
   * labour or services, slavery or practices similar to slavery, servitude, removal of organs), plus what
   * national laws name besides (sale of children, forced begging, forced criminality, labour exploitation).
   */
  offenceClasses: string[];
}

/** The vocabulary a case gets unless its deployment says otherwise. */
export const DEFAULT_VOCABULARY: Vocabulary = {
  suspectRoles: [
    'leader',
    'member',
    'recruiter',
    'transporter',
    'guard',
    'enforcer',
    'financier',
    'broker',
    'buyer',
    'client',
    'document-forger',
    'medical',
    'parent',
    'facilitator',
  ],
  locationKinds: [
    'home',
    'business',
    'bar',
    'brothel',
    'hotel',
    'clinic',
    'farm',
    'mining-camp',
    'factory',
    'construction-site',
    'fishing-vessel',
    'vehicle',
    'border-crossing',
    'online',
    'other',
  ],
  offenceClasses: [
    'trafficking',
    'sexual-exploitation',
    'forced-labour',
    'labour-exploitation',
    'slavery',
    'servitude',
    'organ-removal',
    'child-sale',
    'forced-begging',
    'forced-criminality',
    'illegal-adoption',
    'illegal-abortion',
    'organized-crime',
    'other',
  ],
};

/**
 * The vocabulary of cases opened before it was configurable (their policy has none): the lists the schemas
 * had then, so a case keeps the rules it opened with.
 */
export const LEGACY_VOCABULARY: Vocabulary = {
  suspectRoles: ['leader', 'member', 'medical', 'broker', 'buyer', 'parent', 'facilitator'],
  locationKinds: ['home', 'business', 'clinic', 'vehicle', 'other'],
  offenceClasses: ['trafficking', 'organized-crime', 'child-sale', 'illegal-abortion', 'other'],
};

export const VOCABULARY_LISTS = ['suspectRoles', 'locationKinds', 'offenceClasses'] as const;
export type VocabularyList = (typeof VOCABULARY_LISTS)[number];

/** How a refusal names a list: "the case's suspect roles". */
export const VOCABULARY_NAMES: Record<VocabularyList, string> = {
  suspectRoles: 'suspect roles',
  locationKinds: 'location kinds',
  offenceClasses: 'offence classes',
};

const hours48 = '48h';

export const DEFAULT_POLICY: DeadlinePolicy = {
  version: 1,
  detention: {
    // Police detention before a judge must rule (Peru: 48 hours; up to 15 days for organised crime).
    limit: Object.fromEntries(
      DEFAULT_VOCABULARY.offenceClasses.map((c) => [c, c === 'organized-crime' ? '15d' : hours48]),
    ),
    warnBefore: '6h',
    extension: '7d',
    flagranteReview: '24h',
  },
  warrantValidity: '7d',
  raidReportWindow: '6h',
  chargeFilingWindow: '30d',
  appeal: { window: '10d', decision: '90d' },
  childProtection: { referralAcceptance: '6h', medicalExam: '24h', placement: '72h', carePlan: '30d' },
  task: { defaultDue: '3d', remindBefore: '2h' },
  vocabulary: DEFAULT_VOCABULARY,
};

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A fresh copy of the defaults, for a case opened without a policy (its state must not share them). */
export function defaultPolicy(): DeadlinePolicy {
  return copy(DEFAULT_POLICY);
}

/**
 * A policy as a case runs it: one recorded before appeals, in-flagrante reviews and a configurable
 * vocabulary existed gets the defaults of the first two and the vocabulary it was validated against then.
 */
export function completePolicy(policy: RecordedPolicy): DeadlinePolicy {
  return {
    ...policy,
    detention: {
      ...policy.detention,
      flagranteReview: policy.detention.flagranteReview ?? DEFAULT_POLICY.detention.flagranteReview,
    },
    appeal: policy.appeal ?? copy(DEFAULT_POLICY.appeal),
    vocabulary: policy.vocabulary ?? copy(LEGACY_VOCABULARY),
  };
}

/** The police detention limit of an offence class (the policy gives one for every class of its vocabulary). */
export function detentionLimit(policy: DeadlinePolicy, offenceClass: string): string {
  const limits = policy.detention.limit;
  const own = Object.prototype.hasOwnProperty.call(limits, offenceClass) ? limits[offenceClass] : undefined;
  return own ?? limits.other ?? DEFAULT_POLICY.detention.limit.other!;
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
  'detention.flagranteReview': '48h',
  warrantValidity: '30d',
  raidReportWindow: '7d',
  chargeFilingWindow: '365d',
  'appeal.window': '90d',
  'appeal.decision': '730d',
  'childProtection.referralAcceptance': '24h',
  'childProtection.medicalExam': '72h',
  'childProtection.placement': '30d',
  'childProtection.carePlan': '180d',
  'task.defaultDue': '30d',
  'task.remindBefore': '7d',
} as const;

/** Where a policy exceeds a legal bound or contradicts itself: `path: rule`, or none. */
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
  check('detention.flagranteReview', policy.detention.flagranteReview, LEGAL_BOUNDS['detention.flagranteReview']);
  check('warrantValidity', policy.warrantValidity, LEGAL_BOUNDS.warrantValidity);
  check('raidReportWindow', policy.raidReportWindow, LEGAL_BOUNDS.raidReportWindow);
  check('chargeFilingWindow', policy.chargeFilingWindow, LEGAL_BOUNDS.chargeFilingWindow);
  check('appeal.window', policy.appeal.window, LEGAL_BOUNDS['appeal.window']);
  check('appeal.decision', policy.appeal.decision, LEGAL_BOUNDS['appeal.decision']);
  for (const k of ['referralAcceptance', 'medicalExam', 'placement', 'carePlan'] as const) {
    check(`childProtection.${k}`, policy.childProtection[k], LEGAL_BOUNDS[`childProtection.${k}`]);
  }
  check('task.defaultDue', policy.task.defaultDue, LEGAL_BOUNDS['task.defaultDue']);
  check('task.remindBefore', policy.task.remindBefore, LEGAL_BOUNDS['task.remindBefore']);
  return [...out, ...vocabularyViolations(policy)];
}

/** A vocabulary lists each code once, and every offence class has a detention limit. */
function vocabularyViolations(policy: DeadlinePolicy): string[] {
  const out: string[] = [];
  for (const list of VOCABULARY_LISTS) {
    const codes = policy.vocabulary[list];
    const twice = codes.findIndex((c, i) => codes.indexOf(c) !== i);
    if (twice >= 0) out.push(`vocabulary.${list}.${twice}: must not repeat a code`);
  }
  policy.vocabulary.offenceClasses.forEach((cls, i) => {
    if (!Object.prototype.hasOwnProperty.call(policy.detention.limit, cls)) {
      out.push(`vocabulary.offenceClasses.${i}: needs a police detention limit (detention.limit)`);
    }
  });
  return out;
}
