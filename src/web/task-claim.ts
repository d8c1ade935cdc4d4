/**
 * The claim and unclaim buttons of a task, on the inbox and the task page alike: an open task can be claimed by
 * a person; a claimed task can be given back by the person who claimed it (the case rules refuse anyone else).
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/agencies';
import type { HumanTask } from '../domain/tasks';
import { csrfToken } from './csrf';
import { html, type Html } from './html';
import { t, type Language } from './i18n';

export const CLAIM_ACTIONS = ['claim', 'unclaim'] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

/** Which of the two the signed-in person may do with the task, if either. */
export function claimActionFor(task: Pick<HumanTask, 'status' | 'staffId'>, actor: Actor): ClaimAction | undefined {
  if (!actor.staffId) return undefined;
  if (task.status === 'open') return 'claim';
  if (task.status === 'claimed' && task.staffId === actor.staffId) return 'unclaim';
  return undefined;
}

/** The button as a form (POST, CSRF token per action, a command id so a double submit runs once). */
export function claimForm(
  opts: { lang: Language; actor: Actor; csrfSecret: string; returnTo: 'inbox' | 'task'; hiddenLabel?: string },
  // The task page names its button (`#claim`, `#unclaim`); the inbox has one per row, so none.
  task: Pick<HumanTask, 'id' | 'status' | 'staffId'>,
): Html {
  const action = claimActionFor(task, opts.actor);
  if (!action) return html``;
  const { lang } = opts;
  return html`<form method="post" action="/tasks/${encodeURIComponent(task.id)}/${action}" class="inline">
    <input type="hidden" name="_csrf" value="${csrfToken(opts.csrfSecret, action)}" />
    <input type="hidden" name="commandId" value="${randomUUID()}" />
    <input type="hidden" name="return" value="${opts.returnTo}" />
    <button type="submit" ${opts.returnTo === 'task' ? html`id="${action}" ` : ''}data-action="${action}">
      ${t(lang, `task.${action}`)}${
        opts.hiddenLabel ? html`<span class="visually-hidden"> ${opts.hiddenLabel}</span>` : ''
      }
    </button>
  </form>`;
}
