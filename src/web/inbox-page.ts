/**
 * The inbox: the person's open tasks as GET /v1/inbox gives them (their agency, role and clearances), filtered,
 * soonest due first, each with its due time in its case's time zone and a countdown, a claim button when it is
 * open, and a link to its form. The same row markup is sent over the live feed (live.ts), so a row added live is
 * exactly a row rendered with the page.
 */
import type { Actor } from '../domain/agencies';
import { TASK_KINDS } from '../domain/task-kinds';
import type { InboxEntry } from '../notifier/inbox';
import type { CaseFacts } from './case-facts';
import { html, type Html } from './html';
import { isCaseId } from './ids';
import { t, tPlural, type Language } from './i18n';
import { kindName, taskLabel, taskStatus } from './labels';
import { claimForm } from './task-claim';
import { timeZoneForJurisdiction } from './time';
import { countdownOf, timeOf } from './widgets';

/** The inbox filters of the page, as the API's query names them (GET /v1/inbox). */
export interface InboxFilters {
  mine?: 'true';
  unassigned?: 'true';
  overdue?: 'true';
  dueWithin?: '24h';
  caseId?: string;
  kind?: string;
}

const FILTER_NAMES = ['mine', 'unassigned', 'overdue', 'dueWithin', 'caseId', 'kind'] as const;

/**
 * The filters of a query string: only our names, only short values, empty ones dropped. What is left goes to the
 * API, which validates it like any other caller's query (and its message is shown when it refuses).
 */
export function filtersOf(query: unknown): { filters: Record<string, string>; unknown: boolean } {
  const filters: Record<string, string> = {};
  let unknown = false;
  if (query && typeof query === 'object') {
    for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
      if (!(FILTER_NAMES as readonly string[]).includes(k)) {
        unknown = true;
        continue;
      }
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value === 'string' && value !== '') filters[k] = value.slice(0, 100);
    }
  }
  return { filters, unknown };
}

export function queryString(filters: Record<string, string>): string {
  const q = new URLSearchParams(filters).toString();
  return q ? `?${q}` : '';
}

export interface RowContext {
  lang: Language;
  actor: Actor;
  csrfSecret: string;
  now: number;
  defaultZone: string;
}

export function rowLabel(lang: Language, entry: InboxEntry, facts?: CaseFacts): string {
  return taskLabel(lang, entry, facts);
}

/** One task row (`<tr>`), for the page and the live feed alike. */
export function inboxRow(ctx: RowContext, entry: InboxEntry, facts?: CaseFacts): Html {
  const { lang } = ctx;
  const label = rowLabel(lang, entry, facts);
  const zone = timeZoneForJurisdiction(facts?.jurisdiction, ctx.defaultZone);
  const href = `/tasks/${encodeURIComponent(entry.id)}`;
  const claim = claimForm(
    { lang, actor: ctx.actor, csrfSecret: ctx.csrfSecret, returnTo: 'inbox', hiddenLabel: label },
    entry,
  );
  return html`<tr data-task="${entry.id}" data-due="${entry.dueAt}" data-label="${label}" id="row-${entry.id}">
    <td>
      <a href="${href}">${label}</a
      >${entry.escalated ? html` <span class="badge">${t(lang, 'task.escalated')}</span>` : ''}
    </td>
    <td><a href="/cases/${encodeURIComponent(entry.caseId)}">${entry.caseId}</a></td>
    <td>${timeOf(entry.dueAt, zone, lang)}<br />${countdownOf(entry.dueAt, lang, { now: ctx.now })}</td>
    <td>${taskStatus(lang, entry, ctx.actor)}</td>
    <td>${claim}</td>
  </tr>`;
}

export interface InboxPageInput {
  rows: { entry: InboxEntry; facts?: CaseFacts }[];
  filters: Record<string, string>;
  /** Cases of the person's whole inbox, for the case filter. */
  caseIds: readonly string[];
  problem?: Html;
}

function check(name: string, value: string, label: string, filters: Record<string, string>): Html {
  const id = `filter-${name}`;
  return html`<div class="check">
    <input
      type="checkbox"
      id="${id}"
      name="${name}"
      value="${value}"
      ${filters[name] === value ? html` checked` : ''}
    /><label for="${id}">${label}</label>
  </div>`;
}

export function inboxMain(ctx: RowContext, input: InboxPageInput): Html {
  const { lang } = ctx;
  const f = input.filters;
  const n = input.rows.length;
  // A case id typed into the URL is offered back only when it is one (nothing else of a query is echoed).
  const caseOptions = [...new Set([...input.caseIds, ...(f.caseId && isCaseId(f.caseId) ? [f.caseId] : [])])].sort();
  const kinds = Object.keys(TASK_KINDS);
  const filtersForm = html`<form method="get" action="/inbox" class="filters" aria-labelledby="filters-heading">
    <h2 id="filters-heading" class="visually-hidden">${t(lang, 'inbox.filters')}</h2>
    ${check('mine', 'true', t(lang, 'inbox.filter.mine'), f)}
    ${check('unassigned', 'true', t(lang, 'inbox.filter.unassigned'), f)}
    ${check('overdue', 'true', t(lang, 'inbox.filter.overdue'), f)}
    ${check('dueWithin', '24h', t(lang, 'inbox.filter.dueSoon'), f)}
    <div>
      <label for="filter-case">${t(lang, 'inbox.filter.case')}</label><br />
      <select id="filter-case" name="caseId">
        <option value="">${t(lang, 'inbox.filter.any')}</option>
        ${caseOptions.map((c) => html`<option value="${c}" ${f.caseId === c ? html` selected` : ''}>${c}</option>`)}
      </select>
    </div>
    <div>
      <label for="filter-kind">${t(lang, 'inbox.filter.kind')}</label><br />
      <select id="filter-kind" name="kind">
        <option value="">${t(lang, 'inbox.filter.any')}</option>
        ${kinds.map(
          (k) => html`<option value="${k}" ${f.kind === k ? html` selected` : ''}>${kindName(lang, k)}</option>`,
        )}
      </select>
    </div>
    <div>
      <button type="submit" id="filter-apply">${t(lang, 'inbox.filter.apply')}</button>
      <a href="/inbox" class="button">${t(lang, 'inbox.filter.clear')}</a>
    </div>
  </form>`;
  const eventsUrl = `/inbox/events${queryString(input.filters)}`;
  return html`<h1>
      ${t(lang, 'inbox.heading')}
      <span
        class="badge"
        id="inbox-count"
        data-count-one="${t(lang, 'inbox.count.one', { count: '{count}' })}"
        data-count-other="${t(lang, 'inbox.count.other', { count: '{count}' })}"
        >${tPlural(lang, 'inbox.count', n)}</span
      >
    </h1>
    ${input.problem ?? ''} ${filtersForm}
    <p class="live-status" id="live-status" role="status"></p>
    <div class="visually-hidden" aria-live="polite" id="live"></div>
    <noscript><p class="muted">${t(lang, 'app.noscript')}</p></noscript>
    <table id="inbox" data-events="${eventsUrl}">
      <caption>
        ${t(lang, 'inbox.caption')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t(lang, 'inbox.col.task')}</th>
          <th scope="col">${t(lang, 'inbox.col.case')}</th>
          <th scope="col">${t(lang, 'inbox.col.due')}</th>
          <th scope="col">${t(lang, 'inbox.col.status')}</th>
          <th scope="col">${t(lang, 'inbox.col.actions')}</th>
        </tr>
      </thead>
      <tbody>
        ${input.rows.map((r) => inboxRow(ctx, r.entry, r.facts))}
      </tbody>
    </table>
    <p id="inbox-empty" ${n > 0 ? html` hidden` : ''}>${t(lang, 'inbox.empty')}</p>`;
}
