/**
 * Deadline policy: a versioned, validated document with defaults. Every duration can be overridden
 * (tests use seconds). The policy a case runs under is fixed when it opens and travels in its
 * workflow input, so replays and continue-as-new see the same rules. The defaults and legal bounds are
 * data in deadline-policy.ts (which workflow code uses); this module holds the schemas.
 */
import { z } from 'zod';
import { ARGUMENT_RULES } from './argument-rules';
import { boundViolations, DEFAULT_POLICY, OFFENCE_CLASSES } from './deadline-policy';
import { DURATION_PATTERN } from './durations';
import { issueMessage } from './errors';

export * from './deadline-policy';
export { toMs, isDuration, MAX_DURATION_MS } from './durations';

const withinRange = ARGUMENT_RULES['duration-at-most-3650d'];
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d')
  .refine(withinRange.holds, withinRange.message);
export type Duration = string;

export const OffenceClass = z.enum(OFFENCE_CLASSES);

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

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Deep-merges a partial override onto the defaults and validates the result, legal bounds included. */
export function resolvePolicy(override: unknown = {}): DeadlinePolicy {
  const merged = mergeDeep(DEFAULT_POLICY, override);
  const parsed = DeadlinePolicy.safeParse(merged);
  if (!parsed.success) throw new PolicyError(issueMessage(parsed.error.issues[0]!, '', 'policy'));
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
