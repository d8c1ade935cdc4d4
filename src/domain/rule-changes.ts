/**
 * Rule changes that make a case workflow issue other Temporal commands than before for the same recorded
 * input (new tasks and timers, a stage move that no longer happens). Running cases must keep replaying
 * their history, so the workflow asks `patched(change)` at the exact point where the change would take
 * effect, and the domain applies the old rule when the answer is no (a replay of a history recorded
 * before). Validators never ask (they do not run on replay), and neither do pure tests: they get the
 * current rules.
 */
export const RULE_CHANGES = [
  /** Every official among the suspects gets an OVERSIGHT review task. */
  'oversight-reviews-every-official',
  /** A lapsed detention opens release-only tasks and an OVERSIGHT task, not "release or extend". */
  'lapsed-detention-release-only',
  /** A verdict opens an appeal window per defendant; JUDGMENT once every defendant is decided or severed. */
  'verdicts-per-defendant',
] as const;
export type RuleChange = (typeof RULE_CHANGES)[number];

/** Whether a rule change applies here (the workflow answers with `patched`). */
export type Rules = (change: RuleChange) => boolean;

/** The current rules, all of them. */
export const CURRENT_RULES: Rules = () => true;
