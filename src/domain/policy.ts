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

/** Deep-merges a partial override onto the defaults and validates the result. */
export function resolvePolicy(override: unknown = {}): DeadlinePolicy {
  const merged = mergeDeep(DEFAULT_POLICY, override);
  return DeadlinePolicy.parse(merged);
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
