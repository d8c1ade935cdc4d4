/**
 * HTML built from templates where every interpolated value is escaped unless it is already markup we made
 * (`Html`). Pages are assembled from these pieces, so a value from a case, a query string or a token can
 * never become markup: the only way to get an `Html` is through this module.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup that is safe to emit as it is (built by `html`, or escaped). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v) => render(v as HtmlValue)).join('');
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: interpolations are escaped; Html pieces and arrays of them are inserted as they are. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Joins pieces into one Html. */
export function join(pieces: readonly HtmlValue[], separator = ''): Html {
  return new Html(pieces.map((p) => render(p)).join(separator));
}

/** An attribute that is present or absent (`checked`, `disabled`...). */
export function flag(name: string, on: boolean | undefined): Html {
  return new Html(on ? ` ${name}` : '');
}
