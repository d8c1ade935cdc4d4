/**
 * The case policy: a versioned, validated document with defaults: the deadlines of a case (every duration
 * can be overridden; tests use seconds) and its vocabulary (the codes suspect roles, location kinds and
 * offence classes may take). The policy a case runs under is fixed when it opens and travels in its
 * workflow input, so replays and continue-as-new see the same rules. The defaults and legal bounds are
 * data in deadline-policy.ts (which workflow code uses); this module holds the schemas.
 *
 * A deployment's policy file (CASE_POLICY_FILE) is deep-merged over the defaults: any field may be left
 * out, and a list given replaces the default list. `GET /v1/policy` and `cases policy` show the result.
 */
import { z } from 'zod';
import { ARGUMENT_RULES } from './argument-rules';
import { boundViolations, DEFAULT_POLICY } from './deadline-policy';
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

/** A code of the vocabulary: `mining-camp`, `forced-begging`. */
export const VOCABULARY_CODE_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const VocabularyCode = z
  .string()
  .regex(VOCABULARY_CODE_PATTERN, 'must be a code of lower-case letters, digits and dashes (see cases policy)');

const codes = (what: string) =>
  z.array(VocabularyCode).min(1, `must name at least one ${what}`).max(100).describe(`the ${what} cases may use`);

export const Vocabulary = z
  .object({
    suspectRoles: codes('suspect role'),
    locationKinds: codes('location kind'),
    offenceClasses: codes('offence class').describe(
      'classes of offence arrests are made for, each with a detention limit (detention.limit)',
    ),
  })
  .strict();

const ChildProtection = z
  .object({ referralAcceptance: Duration, medicalExam: Duration, placement: Duration, carePlan: Duration })
  .strict();
const TaskTiming = z.object({ defaultDue: Duration, remindBefore: Duration }).strict().describe('generic task timing');

export const DeadlinePolicy = z
  .object({
    version: z.literal(1),
    detention: z
      .object({
        limit: z
          .record(VocabularyCode, Duration)
          .describe('police detention before a judge must rule, per offence class of the vocabulary'),
        warnBefore: Duration,
        extension: Duration.describe('how long a judicial extension adds by default'),
        flagranteReview: Duration.describe('a judge reviews an arrest in flagrante within this'),
      })
      .strict(),
    warrantValidity: Duration,
    raidReportWindow: Duration.describe("a raid's locations report their outcome within this of its start"),
    chargeFilingWindow: Duration,
    appeal: z
      .object({
        window: Duration.describe("a verdict may be appealed within this; then the defendant's judgment is final"),
        decision: Duration.describe('the appellate court decides an appeal within this (a task)'),
      })
      .strict(),
    childProtection: ChildProtection,
    task: TaskTiming,
    vocabulary: Vocabulary,
  })
  .strict()
  .describe(
    'The case policy (CASE_POLICY_FILE): a JSON document deep-merged over the defaults (GET /v1/policy), so any ' +
      'field may be left out and a list given replaces the default one; within the legal bounds. A case keeps ' +
      'the policy it opened with.',
  );
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;
export type Vocabulary = z.infer<typeof Vocabulary>;

/**
 * The policy as cases opened before the last additions recorded it: without the in-flagrante review, the
 * appeal windows and the vocabulary (completePolicy in deadline-policy.ts fills them in).
 */
export type RecordedPolicy = Omit<DeadlinePolicy, 'detention' | 'appeal' | 'vocabulary'> & {
  detention: Omit<DeadlinePolicy['detention'], 'flagranteReview'> & { flagranteReview?: string };
  appeal?: DeadlinePolicy['appeal'];
  vocabulary?: DeadlinePolicy['vocabulary'];
};

/** The offence classes cases could name before the vocabulary was configurable (the legacy policy's limits). */
const LEGACY_OFFENCE_CLASS = z.enum(['trafficking', 'organized-crime', 'child-sale', 'illegal-abortion', 'other']);

/**
 * The policy exactly as histories recorded before the gateway passed it separately carry it inside the
 * opening (RecordedOpenCaseInput): kept as it was, so that those histories keep replaying.
 */
export const LegacyPolicy = z
  .object({
    version: z.literal(1),
    detention: z
      .object({ limit: z.record(LEGACY_OFFENCE_CLASS, Duration), warnBefore: Duration, extension: Duration })
      .strict(),
    warrantValidity: Duration,
    raidReportWindow: Duration,
    chargeFilingWindow: Duration,
    childProtection: ChildProtection,
    task: TaskTiming,
  })
  .strict();

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/**
 * Deep-merges a partial override onto the defaults and validates the result, legal bounds and vocabulary
 * included. Errors name the field and the rule (`detention.limit.trafficking: must be at most 15d`), never a
 * value.
 */
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
