/**
 * A case as the signed-in person may know it: the status and timeline views the API gives their agency (statusView,
 * timelineView), parties by reference only, deadlines with live countdowns, the timeline, and the tasks of the case
 * in their inbox. A detention clock turns red in its last 12 hours and, once lapsed, stays on the page marked as
 * lapsed (a lapsed detention is a legal record, not a task that went away). A case the person may not know of gets
 * the very page a case that does not exist gets.
 */
import type { Actor } from '../domain/agencies';
import type { CaseSnapshot } from '../domain/case-state';
import type { StatusView } from '../domain/case-views';
import type { TimelineEntry } from '../domain/state';
import type { InboxEntry } from '../notifier/inbox';
import type { ProtectionSnapshot } from '../../workflows/messages';
import type { CaseFacts } from './case-facts';
import { html, type Html } from './html';
import { t, tMaybe, type Language } from './i18n';
import { agencyName, eventName, stageName, taskLabel, taskStatus } from './labels';
import { formatDateTime, timeZoneForJurisdiction } from './time';
import { countdownOf, timeOf } from './widgets';

/** A detention clock is shown red in its last 12 hours. */
export const DETENTION_WARNING_MS = 12 * 3_600_000;

export interface CasePageInput {
  lang: Language;
  actor: Actor;
  now: number;
  defaultZone: string;
  caseId: string;
  view: StatusView;
  timeline: readonly TimelineEntry[];
  tasks: readonly InboxEntry[];
  protections: readonly ProtectionSnapshot[];
  facts: CaseFacts;
  /** Forms of the commands the person may send on this case now (requestWarrant for a prosecutor...). */
  actions?: Html;
}

type View = Partial<CaseSnapshot> & { figures?: Record<string, number> };

function parties(lang: Language, v: View): Html {
  const list = (title: string, items: Html[]) =>
    items.length > 0
      ? html`<h3>${title}</h3>
          <ul class="plain">
            ${items.map((i) => html`<li>${i}</li>`)}
          </ul>`
      : '';
  const suspects = (v.suspects ?? []).map(
    (s) => html`${s.ref}${s.charged ? html` <span class="badge">${t(lang, 'case.charged')}</span>` : ''}`,
  );
  const victims = (v.victims ?? []).map(
    (x) =>
      html`${x.ref}${x.minor ? html` <span class="badge">${t(lang, 'case.minor')}</span>` : ''}${
        x.inProtectiveCustody ? html` <span class="badge">${t(lang, 'case.inCustody')}</span>` : ''
      }`,
  );
  const witnesses = (v.witnesses ?? []).map((w) => html`${w.ref}`);
  const locations = (v.locations ?? []).map(
    (l) => html`${l.ref} <span class="muted">(${tMaybe(lang, `locationKind.${l.kind}`, {}, l.kind)})</span>`,
  );
  const any = suspects.length + victims.length + witnesses.length + locations.length;
  return html`<section aria-labelledby="parties-heading">
    <h2 id="parties-heading">${t(lang, 'case.parties')}</h2>
    ${any === 0 ? html`<p>${t(lang, 'case.nothing')}</p>` : ''}
    ${list(t(lang, 'case.suspects'), suspects)}${list(t(lang, 'case.victims'), victims)}${list(
      t(lang, 'case.witnesses'),
      witnesses,
    )}${list(t(lang, 'case.locations'), locations)}
  </section>`;
}

function deadlines(input: CasePageInput, v: View, zone: string): Html {
  const { lang, now } = input;
  const rows: Html[] = [];
  for (const a of v.arrests ?? []) {
    const what = t(lang, 'case.detention', { ref: a.ref, suspectRef: a.suspectRef });
    const status = tMaybe(lang, `case.arrestStatus.${a.status}`, {}, a.status);
    const left =
      a.status === 'held'
        ? countdownOf(a.detentionLimitAt, lang, {
            now,
            warnWithinMs: DETENTION_WARNING_MS,
            warnText: t(lang, 'case.lastHours'),
            lapsedText: t(lang, 'case.lapsed'),
            id: `clock-${a.ref}`,
          })
        : html`<span class="muted">${t(lang, 'case.stopped')}</span>`;
    // A detention held past its limit stays on the record, also once it ended.
    const unlawful = a.unlawfulDetention
      ? html` <strong class="lapsed" data-unlawful
          >${t(lang, 'case.unlawfulDetention', { from: formatDateTime(a.unlawfulDetention.from, zone, lang) })}${
            a.unlawfulDetention.until
              ? html` ${t(lang, 'case.unlawfulDetention.until', { until: formatDateTime(a.unlawfulDetention.until, zone, lang) })}`
              : ''
          }</strong
        >`
      : '';
    rows.push(
      html`<tr id="detention-${a.ref}" data-kind="detention">
        <td>${what} <span class="badge">${status}</span>${unlawful}</td>
        <td>${timeOf(a.detentionLimitAt, zone, lang)}</td>
        <td>${left}</td>
      </tr>`,
    );
  }
  for (const w of v.warrants ?? []) {
    const kind = tMaybe(lang, `case.warrantKind.${w.kind}`, {}, w.kind) as string;
    const what = t(lang, 'case.warrant', { kind, ref: w.ref });
    const status = tMaybe(lang, `case.warrantStatus.${w.status}`, {}, w.status);
    const until = w.status === 'approved' && w.validUntil ? w.validUntil : undefined;
    rows.push(
      html`<tr id="warrant-${w.ref}" data-kind="warrant" data-status="${w.status}">
        <td>${what} <span class="badge">${status}</span></td>
        <td>${until ? html`${t(lang, 'case.validUntil')} ${timeOf(until, zone, lang)}` : ''}</td>
        <td>${until ? countdownOf(until, lang, { now, id: `validity-${w.ref}` }) : ''}</td>
      </tr>`,
    );
  }
  for (const task of input.tasks) {
    rows.push(
      html`<tr id="due-${task.id}" data-kind="task" data-task="${task.id}">
        <td>${taskLabel(lang, task, input.facts)}</td>
        <td>${timeOf(task.dueAt, zone, lang)}</td>
        <td>${countdownOf(task.dueAt, lang, { now })}</td>
      </tr>`,
    );
  }
  return html`<section aria-labelledby="deadlines-heading">
    <h2 id="deadlines-heading">${t(lang, 'case.deadlines')}</h2>
    ${
      rows.length === 0
        ? html`<p>${t(lang, 'case.nothing')}</p>`
        : html`<table id="deadlines">
            <thead>
              <tr>
                <th scope="col">${t(lang, 'case.deadline.col.what')}</th>
                <th scope="col">${t(lang, 'case.deadline.col.when')}</th>
                <th scope="col">${t(lang, 'case.deadline.col.left')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`;
}

function tasksSection(input: CasePageInput): Html {
  const { lang } = input;
  const items = input.tasks.map(
    (task) =>
      html`<li>
        <a href="/tasks/${encodeURIComponent(task.id)}">${taskLabel(lang, task, input.facts)}</a> ·
        ${taskStatus(lang, task, input.actor)}
      </li>`,
  );
  return html`<section aria-labelledby="tasks-heading">
    <h2 id="tasks-heading">${t(lang, 'case.tasks')}</h2>
    ${
      items.length > 0
        ? html`<ul class="plain" id="case-tasks">
            ${items}
          </ul>`
        : html`<p>${t(lang, 'case.noTasks')}</p>`
    }
  </section>`;
}

function protectionsSection(input: CasePageInput, zone: string): Html {
  const { lang } = input;
  return html`${input.protections.map((p) => {
    const done = Object.entries(p.milestones).map(
      ([m, at]) =>
        html`<li>
          ${tMaybe(lang, `milestone.${m}`, {}, m)}:
          ${timeOf(at.at, zone, lang)}${
            at.outcome
              ? html` <span class="muted">(${tMaybe(lang, `outcome.${at.outcome}`, {}, at.outcome)})</span>`
              : ''
          }
        </li>`,
    );
    return html`<section aria-labelledby="protection-${p.victimRef}">
      <h2 id="protection-${p.victimRef}">${t(lang, 'case.protection', { ref: p.victimRef })}</h2>
      <h3>${t(lang, 'case.milestones')}</h3>
      ${
        done.length > 0
          ? html`<ul class="plain">
              ${done}
            </ul>`
          : html`<p>${t(lang, 'case.nothing')}</p>`
      }
    </section>`;
  })}`;
}

function timelineSection(input: CasePageInput, zone: string): Html {
  const { lang } = input;
  const rows = [...input.timeline]
    .reverse()
    .slice(0, 200)
    .map(
      (e) =>
        html`<tr>
          <td>${timeOf(e.at, zone, lang)}</td>
          <td>${eventName(lang, e.type)}</td>
          <td>
            ${
              e.source === 'system'
                ? html`<span class="muted">${t(lang, 'case.system')}</span>`
                : e.by
                  ? html`${agencyName(lang, e.by.agency)}${e.by.staffId ? html` · ${e.by.staffId}` : ''}`
                  : ''
            }
          </td>
          <td>
            ${e.ref ?? ''}${
              e.detail
                ? html` <span class="muted"
                    >(${Object.entries(e.detail)
                      .map(([, v]) => String(v))
                      .join(', ')})</span
                  >`
                : ''
            }
          </td>
        </tr>`,
    );
  return html`<section aria-labelledby="timeline-heading">
    <h2 id="timeline-heading">${t(lang, 'case.timeline')}</h2>
    ${
      rows.length === 0
        ? html`<p>${t(lang, 'case.nothing')}</p>`
        : html`<table id="timeline">
            <thead>
              <tr>
                <th scope="col">${t(lang, 'case.timeline.col.when')}</th>
                <th scope="col">${t(lang, 'case.timeline.col.what')}</th>
                <th scope="col">${t(lang, 'case.timeline.col.who')}</th>
                <th scope="col">${t(lang, 'case.timeline.col.ref')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`;
}

export function caseMain(input: CasePageInput): Html {
  const { lang } = input;
  const v = input.view as View;
  const zone = timeZoneForJurisdiction(v.jurisdiction, input.defaultZone);
  const figures = v.figures
    ? html`<section aria-labelledby="figures-heading">
        <h2 id="figures-heading">${t(lang, 'case.figures')}</h2>
        <dl class="facts">
          ${Object.entries(v.figures).map(
            ([k, n]) =>
              html`<dt>${k}</dt>
                <dd>${n}</dd>`,
          )}
        </dl>
      </section>`
    : '';
  return html`<h1 id="case-title">${t(lang, 'case.title', { caseId: input.caseId })}</h1>
    <dl class="facts">
      ${
        v.stage
          ? html`<dt>${t(lang, 'case.stage')}</dt>
              <dd id="case-stage">${stageName(lang, v.stage)}</dd>`
          : ''
      }
      ${
        v.jurisdiction
          ? html`<dt>${t(lang, 'case.jurisdiction')}</dt>
              <dd>${v.jurisdiction}</dd>`
          : ''
      }
      <dt>${t(lang, 'case.timeZone')}</dt>
      <dd>${zone}</dd>
      ${
        v.openedAt
          ? html`<dt>${t(lang, 'case.opened')}</dt>
              <dd>${timeOf(v.openedAt, zone, lang)}</dd>`
          : ''
      }
    </dl>
    ${figures} ${input.actions ?? ''} ${deadlines(input, v, zone)} ${tasksSection(input)}
    ${v.figures ? '' : parties(lang, v)} ${protectionsSection(input, zone)} ${timelineSection(input, zone)}`;
}

export function caseNotFoundMain(lang: Language, caseId: string): Html {
  return html`<h1>${t(lang, 'case.notFound.title')}</h1>
    <p id="case-not-found">
      ${t(lang, 'case.notFound.body', {
        caseId,
      })}
    </p>
    <p><a href="/inbox">${t(lang, 'task.back')}</a></p>`;
}
