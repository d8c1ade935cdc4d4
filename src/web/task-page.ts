/**
 * A task's page: what it is about, when it is due (in its case's time zone, with a countdown), and the form that
 * does its work, generated from the command catalogue (task-forms.ts). Forms post to this app, which sends the
 * command through the API with the person's token; a refusal comes back in plain words, and a validation message
 * stands next to the field it names. A form the person's role may not send says so, and why, instead of a button.
 */
import type { Actor } from '../domain/agencies';
import type { HumanTask } from '../domain/tasks';
import type { CaseFacts } from './case-facts';
import { html, type Html } from './html';
import { commandSection } from './form-render';
import { t, type Language } from './i18n';
import { agencyName, taskLabel, taskStatus } from './labels';
import type { Refusal } from './refusals';
import type { TaskForm } from './task-forms';
import { claimForm } from './task-claim';
import { timeZoneForJurisdiction } from './time';
import { countdownOf, timeOf } from './widgets';

export interface TaskPageInput {
  lang: Language;
  actor: Actor;
  csrfSecret: string;
  now: number;
  defaultZone: string;
  task: HumanTask;
  facts: CaseFacts;
  form: TaskForm;
  /** After a refused submission: what was refused, and the field the API named. */
  failure?: { command: string; refusal: Refusal; field?: string };
}

export function taskMain(input: TaskPageInput): Html {
  const { lang, task } = input;
  const zone = timeZoneForJurisdiction(input.facts.jurisdiction, input.defaultZone);
  const label = taskLabel(lang, task, input.facts);
  const claim = claimForm({ lang, actor: input.actor, csrfSecret: input.csrfSecret, returnTo: 'task' }, task);
  return html`<p><a href="/inbox">${t(lang, 'task.back')}</a></p>
    <h1 id="task-title">${label}</h1>
    <dl class="facts">
      <dt>${t(lang, 'task.case')}</dt>
      <dd><a href="/cases/${encodeURIComponent(task.caseId)}">${task.caseId}</a></dd>
      <dt>${t(lang, 'task.due')}</dt>
      <dd>
        ${timeOf(task.dueAt, zone, lang)}
        ${countdownOf(task.dueAt, lang, {
          now: input.now,
          id: 'task-countdown',
        })}
      </dd>
      <dt>${t(lang, 'task.assignee')}</dt>
      <dd>${agencyName(lang, task.assignee)}</dd>
      <dt>${t(lang, 'task.created')}</dt>
      <dd>${timeOf(task.createdAt, zone, lang)}</dd>
      <dt>${t(lang, 'inbox.col.status')}</dt>
      <dd id="task-status">
        ${taskStatus(lang, task, input.actor)}${
          task.escalated ? html` <span class="badge">${t(lang, 'task.escalated')}</span>` : ''
        }
      </dd>
    </dl>
    ${claim} ${input.form.commands.length === 0 ? html`<p>${t(lang, 'task.noForm')}</p>` : ''}
    ${input.form.commands.map((c, i) =>
      commandSection({
        lang,
        csrfSecret: input.csrfSecret,
        action: `/tasks/${encodeURIComponent(task.id)}`,
        csrfPurpose: 'task',
        form: c,
        prefix: `cmd${i}`,
        ...(input.failure?.command === c.command ? { failure: input.failure } : {}),
      }),
    )}`;
}

export function taskGoneMain(lang: Language, taskId: string): Html {
  return html`<h1>${t(lang, 'task.gone.title')}</h1>
    <p id="task-gone">${t(lang, 'task.gone.body', { taskId })}</p>
    <p><a href="/inbox">${t(lang, 'task.back')}</a></p>`;
}
