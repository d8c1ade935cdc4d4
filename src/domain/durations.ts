/** Durations as the policy and commands write them: `500ms`, `30s`, `5m`, `2h`, `7d`. */

export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Ten years: longer than any legal deadline, and far inside the range of a Date. */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text);
}

/** Milliseconds of a duration; throws `not a duration: ...` for anything else. */
export function toMs(d: string): number {
  const m = DURATION_PATTERN.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
