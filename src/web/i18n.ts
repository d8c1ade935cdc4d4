/**
 * Messages in Spanish and English from the catalogues in ./messages, and the choice of language for a person.
 * A small lookup of our own rather than a framework: two languages, `{name}` placeholders and plural forms are all
 * we need, and the compiler then checks every key (es.ts is typed by en.ts's keys).
 */
import { en, type MessageKey } from './messages/en';
import { es } from './messages/es';

export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type { MessageKey };

const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, es };

export type Params = Record<string, string | number>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The message `key` in `lang`, placeholders filled. */
export function t(lang: Language, key: MessageKey, params: Params = {}): string {
  return fill(CATALOGUES[lang][key], params);
}

/** For keys built from data (`kind.<task kind>`): the message if the catalogue has it, else `fallback`. */
export function tMaybe(lang: Language, key: string, params: Params = {}, fallback?: string): string | undefined {
  const catalogue = CATALOGUES[lang] as Record<string, string>;
  if (Object.prototype.hasOwnProperty.call(catalogue, key)) return fill(catalogue[key] as string, params);
  return fallback;
}

/** A plural message: `<base>.one` or `<base>.other`, chosen for `count` by the language's plural rules. */
export function tPlural(lang: Language, base: string, count: number, params: Params = {}): string {
  const form = new Intl.PluralRules(lang).select(count) === 'one' ? 'one' : 'other';
  return tMaybe(lang, `${base}.${form}`, { count, ...params }) ?? String(count);
}

/** The keys of a catalogue (for tests that keep the two in step). */
export function catalogueKeys(lang: Language): string[] {
  return Object.keys(CATALOGUES[lang]);
}

/** The raw template of a key (tests compare placeholders across languages). */
export function template(lang: Language, key: MessageKey): string {
  return CATALOGUES[lang][key];
}

/**
 * Languages of an Accept-Language header, best first (q-values honoured, q=0 dropped); only the primary subtag of
 * each, e.g. `es-PE;q=0.9` gives `es`. Malformed parts are ignored; the header is bounded before it is read.
 */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  const parts = header.slice(0, 512).split(',').slice(0, 20);
  const ranked: { tag: string; q: number; i: number }[] = [];
  parts.forEach((part, i) => {
    const [range = '', ...params] = part.trim().split(';');
    const tag = range.trim().toLowerCase();
    if (!/^([a-z]{1,8}(-[a-z0-9]{1,8})*|\*)$/.test(tag)) return;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q=([01](\.\d{1,3})?)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q > 0) ranked.push({ tag: tag.split('-')[0] as string, q, i });
  });
  ranked.sort((a, b) => b.q - a.q || a.i - b.i);
  return [...new Set(ranked.map((r) => r.tag))];
}

/** Countries whose staff work in Spanish (ISO 3166 codes, the first part of a jurisdiction such as PE-LIM). */
const SPANISH_SPEAKING = new Set(['PE', 'AR', 'BO', 'CL', 'CO', 'CR', 'CU', 'DO', 'EC', 'ES', 'GT', 'HN', 'MX', 'NI']);
['PA', 'PY', 'SV', 'UY', 'VE'].forEach((c) => SPANISH_SPEAKING.add(c));

/** The default language of a jurisdiction (`PE-LIM` → es); English elsewhere. */
export function languageForJurisdiction(jurisdiction: string | undefined): Language {
  const country = (jurisdiction ?? '').split('-')[0]?.toUpperCase() ?? '';
  return SPANISH_SPEAKING.has(country) ? 'es' : 'en';
}

/** The first supported language of a locale-like value (`es-PE`, `en`), if any. */
export function languageOf(value: string | undefined): Language | undefined {
  const primary = (value ?? '').toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : undefined;
}

export interface LanguageChoice {
  /** The person chose it in this session (the switcher). */
  chosen?: Language | undefined;
  /** The person's preference: the staff directory, else the identity provider's `locale` claim. */
  preferred?: Language | undefined;
  /** The browser's Accept-Language header. */
  acceptLanguage?: string | undefined;
  /** The fallback when nobody said anything: the language of the jurisdiction (Spanish for PE-*). */
  fallback: Language;
}

/** The person's own choice, then their preference, then the browser's, then the jurisdiction's language. */
export function chooseLanguage(c: LanguageChoice): Language {
  if (c.chosen) return c.chosen;
  if (c.preferred) return c.preferred;
  for (const tag of acceptedLanguages(c.acceptLanguage)) if (isLanguage(tag)) return tag;
  return c.fallback;
}
