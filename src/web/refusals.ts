/**
 * Refusals in plain words, in the person's language. A refusal by the permission matrix is said from its code and
 * the matrix itself ("Solo un juez puede aprobar una orden" / "Only a judge can approve a warrant"), never by
 * translating the API's English text; other refusals keep the API's detail (the rule and the field it names, the
 * same words a script gets) under a heading for their code.
 */
import type { CatalogueEntry } from '../domain/catalogue';
import { t, tMaybe, type Language } from './i18n';

export interface Refusal {
  title: string;
  message: string;
}

/** The API's answer when it does not do what was asked (a problem document). */
export interface ProblemAnswer {
  status: number;
  code: string;
  detail: string;
}

/** "un juez o un secretario judicial": who may, from the matrix's roles. */
export function whoInWords(lang: Language, who: CatalogueEntry['who']): string {
  const roles = [...new Set(Object.values(who).flatMap((r) => [...(r ?? [])]))];
  return roles.map((r) => tMaybe(lang, `role.${r}`, {}, r) as string).join(t(lang, 'refusal.or'));
}

export function onlyWho(lang: Language, command: string, who: CatalogueEntry['who']): string {
  const action = tMaybe(lang, `action.${command}`) ?? t(lang, 'action.other');
  return t(lang, 'refusal.only', { who: whoInWords(lang, who), action });
}

export function refusalOf(
  lang: Language,
  problem: ProblemAnswer,
  context: { command?: string; who?: CatalogueEntry['who'] } = {},
): Refusal {
  const title = tMaybe(lang, `refusal.${problem.code}`) ?? t(lang, 'refusal.OTHER');
  if (problem.code === 'NOT_PERMITTED' && context.command && context.who && Object.keys(context.who).length > 0) {
    return { title, message: onlyWho(lang, context.command, context.who) };
  }
  if (problem.status >= 500) return { title: t(lang, 'refusal.OTHER'), message: t(lang, 'refusal.unavailable') };
  // Validation messages stay the API's own, word for word: the same a script or the CLI gets.
  if (problem.code === 'INVALID_ARGUMENTS') return { title, message: problem.detail };
  return { title, message: t(lang, 'refusal.detail', { detail: problem.detail }) };
}
