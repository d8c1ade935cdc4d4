/**
 * The rules on inputs that a JSON Schema cannot say (a minor is under 18, a raid does not repeat a
 * location...), named, so that one definition serves both checkers: the zod schemas refine with them
 * (`refineBy` in input-schemas.ts), and the generated JSON Schemas name them in `x-rules`, which the
 * workflow's checker (json-schema.ts) looks up here. Each holds of a value that passed its schema.
 */
import type { ZodType } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, toMs } from './durations';

export interface ArgumentRule<T = never> {
  /** Where the refusal points, relative to the value the rule is about. */
  readonly path: readonly string[];
  readonly message: string;
  readonly holds: (value: T) => boolean;
}

function rule<T>(path: readonly string[], message: string, holds: (value: T) => boolean): ArgumentRule<T> {
  return { path, message, holds };
}

export const ARGUMENT_RULES = {
  'minor-under-18': rule<{ minor: boolean; ageMonths?: number }>(
    ['ageMonths'],
    'a minor must be under 18 (216 months)',
    (v) => !v.minor || v.ageMonths === undefined || v.ageMonths < 216,
  ),
  'names-a-location-or-suspect': rule<{ locationRefs: readonly string[]; suspectRefs: readonly string[] }>(
    ['locationRefs'],
    'must name at least one location or suspect',
    (a) => a.locationRefs.length + a.suspectRefs.length > 0,
  ),
  'distinct-locations': rule<{ locationRefs: readonly string[] }>(
    ['locationRefs'],
    'must not repeat a location',
    (a) => new Set(a.locationRefs).size === a.locationRefs.length,
  ),
  'duration-at-most-3650d': rule<string>(
    [],
    'must be at most 3650d',
    (d) => !DURATION_PATTERN.test(d) || toMs(d) <= MAX_DURATION_MS,
  ),
  'not-oversight': rule<string>([], 'OVERSIGHT is never restricted: it needs no clearance', (a) => a !== 'OVERSIGHT'),
  'arrest-basis': rule<{ warrantRef?: string; inFlagrante?: boolean }>(
    [],
    'an arrest cites an approved arrest warrant (warrantRef) or is made in flagrante (inFlagrante: true): one of the two',
    (a) => (a.warrantRef !== undefined) !== (a.inFlagrante === true),
  ),
  'sentence-only-on-conviction': rule<{ outcome?: string; sentenceMonths?: number }>(
    ['sentenceMonths'],
    'only a conviction carries a sentence',
    (v) => v.sentenceMonths === undefined || v.outcome === 'convicted',
  ),
  'distinct-defendants': rule<{ verdicts: readonly { suspectRef: string }[] }>(
    ['verdicts'],
    'must not give two verdicts for one defendant',
    (a) => new Set(a.verdicts.map((v) => v.suspectRef)).size === a.verdicts.length,
  ),
  'distinct-suspects': rule<{ suspectRefs: readonly string[] }>(
    ['suspectRefs'],
    'must not repeat a suspect',
    (a) => new Set(a.suspectRefs).size === a.suspectRefs.length,
  ),
  'outcome-when-overturned': rule<{ decision: string; outcome?: string }>(
    ['outcome'],
    'is given when, and only when, the decision is overturned (the new verdict)',
    (a) => (a.decision === 'overturned') === (a.outcome !== undefined),
  ),
  'appeal-hearing-names-defendant': rule<{ kind: string; suspectRef?: string }>(
    ['suspectRef'],
    'an appellate hearing names the defendant whose appeal it hears',
    (a) => a.kind !== 'appeal' || a.suspectRef !== undefined,
  ),
};

export type ArgumentRuleName = keyof typeof ARGUMENT_RULES;

export function argumentRule(name: string): ArgumentRule<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(ARGUMENT_RULES, name)
    ? (ARGUMENT_RULES[name as ArgumentRuleName] as ArgumentRule<unknown>)
    : undefined;
}

/** A zod schema refined by a named rule (client side; the generator recognises the rule by its function). */
export function refineBy<S extends ZodType>(schema: S, name: ArgumentRuleName): S {
  const { holds, message, path } = ARGUMENT_RULES[name] as ArgumentRule<unknown>;
  return schema.refine(holds, path.length > 0 ? { message, path: [...path] } : { message }) as S;
}
