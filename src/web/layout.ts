/**
 * The page shell: language, title, landmarks (header, nav, main, footer), a skip link, who is signed in, the
 * language switcher and sign-out (both CSRF-protected POST forms), one message after a redirect, and the texts the
 * script needs in the page's language. Titles name the page and at most a case id or a count: never a person.
 */
import { csrfToken } from './csrf';
import { html, type Html } from './html';
import { LANGUAGES, t, tMaybe, type Language } from './i18n';
import type { Flash, WebSession } from './session';

export interface PageContext {
  lang: Language;
  session?: WebSession;
  /** Where the language switcher returns to (our own path). */
  path: string;
  assets: { css: string; js: string };
}

export interface PageInput {
  title: string;
  main: Html;
  /** A count shown first in the tab title: `(3) Inbox · Cases`. */
  count?: number;
  flash?: Flash;
}

const LANGUAGE_NAMES: Record<Language, string> = { es: 'Español', en: 'English' };

function header(ctx: PageContext): Html {
  const s = ctx.session;
  const lang = ctx.lang;
  const who = s
    ? html`<p class="who">
        ${t(lang, 'app.signedInAs', {
          staffId: s.actor.staffId ?? '',
          role: s.actor.roles.map((r) => tMaybe(lang, `roleName.${r}`, {}, r)).join(', '),
          agency: tMaybe(lang, `agency.${s.actor.agency}`, {}, s.actor.agency) ?? s.actor.agency,
        })}
      </p>`
    : '';
  const options = LANGUAGES.map(
    (l) => html`<option value="${l}" lang="${l}" ${l === lang ? html` selected` : ''}>${LANGUAGE_NAMES[l]}</option>`,
  );
  const switcher = s
    ? html`<form method="post" action="/prefs/language">
          <input type="hidden" name="_csrf" value="${csrfToken(s.csrfSecret, 'language')}" />
          <input type="hidden" name="return" value="${ctx.path}" />
          <label for="language">${t(lang, 'app.language')}</label>
          <select id="language" name="language">
            ${options}
          </select>
          <button type="submit" id="language-apply">${t(lang, 'app.languageApply')}</button>
        </form>
        <form method="post" action="/auth/sign-out">
          <input type="hidden" name="_csrf" value="${csrfToken(s.csrfSecret, 'sign-out')}" />
          <button type="submit" id="sign-out">${t(lang, 'app.signOut')}</button>
        </form>`
    : html`<nav aria-label="${t(lang, 'app.language')}">
        <ul>
          ${LANGUAGES.filter((l) => l !== lang).map(
            (l) =>
              html`<li>
                <a href="/?lang=${l}" lang="${l}" hreflang="${l}" id="language-${l}">${LANGUAGE_NAMES[l]}</a>
              </li>`,
          )}
        </ul>
      </nav>`;
  const nav = s
    ? html`<nav aria-label="${t(lang, 'app.nav')}">
        <ul>
          <li><a href="/inbox" id="nav-inbox">${t(lang, 'app.inbox')}</a></li>
        </ul>
      </nav>`
    : '';
  return html`<header class="top">
    <p class="brand">${t(lang, 'app.name')}</p>
    ${nav} ${who} ${switcher}
  </header>`;
}

export function page(ctx: PageContext, input: PageInput): string {
  const lang = ctx.lang;
  const title = `${input.count !== undefined ? `(${input.count}) ` : ''}${input.title} · ${t(lang, 'app.name')}`;
  const flash = input.flash
    ? html`<div
        class="notice ${input.flash.kind === 'success' ? 'ok' : 'err'}"
        role="${input.flash.kind === 'success' ? 'status' : 'alert'}"
        id="flash"
      >
        ${input.flash.text}
      </div>`
    : '';
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title}</title>
        <link rel="stylesheet" href="${ctx.assets.css}" />
        <script src="${ctx.assets.js}" defer></script>
      </head>
      <body
        data-left="${t(lang, 'countdown.left', { time: '{time}' })}"
        data-over="${t(lang, 'countdown.over', {
          time: '{time}',
        })}"
        data-live-on="${t(lang, 'inbox.live.connected')}"
        data-live-lost="${t(lang, 'inbox.live.lost')}"
        data-live-ended="${t(lang, 'inbox.live.ended')}"
        data-added="${t(lang, 'inbox.live.added', { label: '{label}' })}"
        data-removed="${t(lang, 'inbox.live.removed', {
          label: '{label}',
        })}"
      >
        <a class="skip" href="#main">${t(lang, 'app.skip')}</a>
        ${header(ctx)}
        <main id="main" tabindex="-1">${flash} ${input.main}</main>
        <footer><p>${t(lang, 'app.footer')}</p></footer>
      </body>
    </html>`.value;
}
