/**
 * How tasks, statuses and codes read in each language. A task's label is built from its kind and reference
 * ("Decidir la orden de allanamiento W-3"), not from the English title the domain writes for logs and the CLI; an
 * unknown kind falls back to that title (reference-only by the domain's rule).
 */
import type { Actor } from '../domain/agencies';
import type { HumanTask } from '../domain/tasks';
import type { CaseFacts } from './case-facts';
import { t, tMaybe, type Language } from './i18n';

export function taskLabel(
  lang: Language,
  task: Pick<HumanTask, 'kind' | 'ref' | 'title' | 'caseId'>,
  facts?: CaseFacts,
): string {
  const ref = task.ref ?? task.caseId;
  if (task.kind === 'decide-warrant' && task.ref) {
    const kind = facts?.warrantKinds[task.ref];
    if (kind) return tMaybe(lang, `kind.decide-warrant.${kind}`, { ref }) ?? t(lang, 'kind.decide-warrant', { ref });
  }
  return tMaybe(lang, `kind.${task.kind}`, { ref }, task.title) as string;
}

export function taskStatus(
  lang: Language,
  task: Pick<HumanTask, 'status' | 'staffId'>,
  actor: Pick<Actor, 'staffId'>,
): string {
  if (task.status === 'claimed' && task.staffId) {
    return task.staffId === actor.staffId
      ? t(lang, 'task.status.claimedByYou')
      : t(lang, 'task.status.claimedBy', { staffId: task.staffId });
  }
  return tMaybe(lang, `task.status.${task.status}`, {}, task.status) as string;
}

export const agencyName = (lang: Language, agency: string): string =>
  tMaybe(lang, `agency.${agency}`, {}, agency) as string;
export const stageName = (lang: Language, stage: string): string => tMaybe(lang, `stage.${stage}`, {}, stage) as string;
export const commandName = (lang: Language, name: string): string =>
  tMaybe(lang, `command.${name}`, {}, name) as string;
/** What a command did, for the timeline and confirmations ("Orden aprobada" / "Warrant approved"). */
export const eventName = (lang: Language, name: string): string => tMaybe(lang, `timeline.${name}`, {}, name) as string;
export const kindName = (lang: Language, kind: string): string => tMaybe(lang, `kindName.${kind}`, {}, kind) as string;
