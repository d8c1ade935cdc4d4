/** Small pieces shared by the pages: times with their offset, countdowns, notices. */
import { html, type Html } from './html';
import { t, type Language } from './i18n';
import { compactDuration, countdown, formatDateTime } from './time';

/** `<time>` in the zone, with the offset, machine-readable in `datetime`. */
export function timeOf(iso: string | undefined, zone: string, lang: Language): Html {
  if (!iso) return html``;
  return html`<time datetime="${new Date(iso).toISOString()}">${formatDateTime(iso, zone, lang)}</time>`;
}

/**
 * A live countdown to `iso`: rendered now, kept current by the script. `warnWithinMs` turns it red (with a text
 * saying so, not colour alone) inside that window; `lapsedText` is shown once the deadline passed.
 */
export function countdownOf(
  iso: string,
  lang: Language,
  opts: { now: number; warnWithinMs?: number; warnText?: string; lapsedText?: string; id?: string },
): Html {
  const c = countdown(iso, opts.now, opts.warnWithinMs ?? 0);
  const text = c.overdue
    ? t(lang, 'countdown.over', { time: compactDuration(c.remainingMs) })
    : t(lang, 'countdown.left', { time: compactDuration(c.remainingMs) });
  const cls = `countdown${c.overdue ? ' over' : c.warning ? ' warn' : ''}`;
  const warnNote =
    opts.warnText !== undefined
      ? html` <span class="badge" data-warn-note${c.warning ? '' : html` hidden`}>${opts.warnText}</span>`
      : '';
  const lapsedNote =
    opts.lapsedText !== undefined
      ? html` <strong class="lapsed" data-lapsed-note${c.overdue ? '' : html` hidden`}>${opts.lapsedText}</strong>`
      : '';
  return html`<span
    ><span
      class="${cls}"
      data-deadline="${new Date(iso).toISOString()}"
      data-warn="${opts.warnWithinMs ?? 0}"
      ${opts.id ? html` id="${opts.id}"` : ''}
      >${text}</span
    >${warnNote}${lapsedNote}</span
  >`;
}

export function notice(kind: 'ok' | 'err', title: string, message: string, id = 'notice'): Html {
  return html`<div class="notice ${kind}" role="${kind === 'ok' ? 'status' : 'alert'}" id="${id}">
    <h2>${title}</h2>
    <p>${message}</p>
  </div>`;
}
