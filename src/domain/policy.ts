/**
 * Deadline policy: a versioned, validated document with defaults. Every duration can be overridden
 * (tests use seconds). The policy a case runs under is fixed when it opens and travels in its
 * workflow input, so replays and continue-as-new see the same rules.
 */
import { z } from 'zod';

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: longer than any legal deadline, and far inside the range of a Date. */
const MAX_DURATION_MS = 3650 * UNIT_MS.d;

export const Duration = z
  .string()
  .regex(DURATION, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d')
  .refine((d: string) => !DURATION.test(d) || toMs(d) <= MAX_DURATION_MS, 'must be at most 3650d');
export type Duration = string;

export function toMs(d: string): number {
  const m = DURATION.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export const OffenceClass = z.enum(['trafficking', 'organized-crime', 'child-sale', 'illegal-abortion', 'other']);
export type OffenceClass = z.infer<typeof OffenceClass>;

export const DeadlinePolicy = z
  .object({
    version: z.literal(1),
    detention: z
      .object({
        /** Limit of police detention before a judge must rule, per offence class. */
        limit: z.record(OffenceClass, Duration),
        warnBefore: Duration,
        /** How long a judicial extension adds by default. */
        extension: Duration,
      })
      .strict(),
    warrantValidity: Duration,
    /** Outcome reports of a raid's locations are due this long after the raid starts. */
    raidReportWindow: Duration,
    chargeFilingWindow: Duration,
    childProtection: z
      .object({
        referralAcceptance: Duration,
        medicalExam: Duration,
        placement: Duration,
        carePlan: Duration,
      })
      .strict(),
    /** Generic human-task timing. */
    task: z.object({ defaultDue: Duration, remindBefore: Duration }).strict(),
  })
  .strict();
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;

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

/**
 * The legal ceilings a deployment's policy must stay within (Peruvian procedure, as in the reference
 * case: police detention up to 15 days for trafficking and organised crime, and so on). A policy may be
 * stricter, never looser; a judge's warrant validity or detention extension is bounded by the policy.
 */
export const LEGAL_BOUNDS = {
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
  for (const [cls, d] of Object.entries(policy.detention.limit)) check(`detention.limit.${cls}`, d, LEGAL_BOUNDS['detention.limit']);
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

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Deep-merges a partial override onto the defaults and validates the result, legal bounds included. */
export function resolvePolicy(override: unknown = {}): DeadlinePolicy {
  const merged = mergeDeep(DEFAULT_POLICY, override);
  const parsed = DeadlinePolicy.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(`${issue.path.join('.') || 'policy'}: ${issue.message}`);
  }
  const violations = boundViolations(parsed.data);
  if (violations.length > 0) throw new PolicyError(violations[0]!);
  return parsed.data;
}

function mergeDeep(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeDeep(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
