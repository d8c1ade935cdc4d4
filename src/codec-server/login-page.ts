/**
 * The codec server's session pages: who is signed in and until when, sign-out, refusals, and the break-glass form
 * (only when CODEC_SERVER_TOKEN is set). Static HTML with no script; the only values shown come from configuration
 * (the UI origin), the server (an expiry time) or a verified token (the signed-in staff id), and are escaped all
 * the same. Nothing the client sent is ever echoed back.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Principal } from './session';

/** For every HTML answer: no script at all, forms may only post back here, no framing (clickjacking). */
export const HTML_HEADERS: OutgoingHttpHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it, browsers send `Origin: null` on the form post and the origin check cannot tell. The
  // callback URL holds a (spent) authorization code: same-origin keeps it from leaving.
  'Referrer-Policy': 'same-origin',
};

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
input[type=password]{width:100%;padding:.4rem;font:inherit}button{padding:.4rem 1rem;font:inherit}
.note{color:#555;font-size:13px}</style></head>
<body><h1>${escape(title)}</h1>
${body}
</body></html>`;
}

const who = (p: Principal): string => (p.via === 'break-glass' ? 'the break-glass token' : (p.staffId ?? p.subject));

const signOutForm = (action: string) =>
  `<form method="post" action="${escape(action)}"><input type="hidden" name="signout" value="1"><button type="submit" id="signout">Sign out</button></form>`;

export function signedInPage(sessionPath: string, uiOrigin: string, principal: Principal, expiresAt: number): string {
  return page(
    'Signed in',
    `<p id="status">Signed in as <strong id="who">${escape(who(principal))}</strong> until ${escape(
      new Date(expiresAt).toISOString(),
    )}.</p>
<p>The Temporal UI at <a href="${escape(uiOrigin)}">${escape(uiOrigin)}</a> can now decrypt payloads in this browser,
and every payload it decodes is logged against this account. Everything you open there shows victims' data in the
clear. If the UI still shows ciphertext, open <b>Codec Server</b> settings there once per browser, choose "Use my
browser setting", enter this server's address as the endpoint and tick <b>Include cross-origin credentials</b>.</p>
${signOutForm(sessionPath)}
<p class="note">The session is a cookie for this server only (HttpOnly, SameSite=Strict); it expires on its own and
with every restart of the codec server.</p>`,
  );
}

export function signedOutPage(sessionPath: string): string {
  return page(
    'Signed out',
    `<p id="status">Signed out. This browser can no longer decode.</p><p><a href="${escape(sessionPath)}">Sign in again</a></p>`,
  );
}

/** A refused or failed sign-in; `message` is fixed text chosen by the server. */
export function refusedPage(sessionPath: string, message: string): string {
  return page(
    'Sign-in refused',
    `<p id="status">${escape(message)}</p><p><a href="${escape(sessionPath)}" id="again">Sign in as someone else</a></p>`,
  );
}

export function unavailablePage(message: string, breakGlass: boolean, breakGlassPath: string): string {
  const fallback = breakGlass
    ? `<p>In an emergency an operator holding the break-glass token can <a href="${escape(breakGlassPath)}">sign in with it</a>; that use is logged.</p>`
    : '';
  return page('Sign-in unavailable', `<p id="status">${escape(message)}</p>${fallback}`);
}

/** Shown only when the break-glass token is configured. */
export function breakGlassPage(sessionPath: string): string {
  return page(
    'Break-glass sign-in',
    `<p>For emergencies only, when the identity provider cannot be reached. Every use is logged as break-glass.</p>
<form method="post" action="${escape(sessionPath)}" autocomplete="off">
<label for="token">Break-glass token</label><br>
<input type="password" id="token" name="token" required minlength="16" autofocus><br><br>
<button type="submit" id="signin">Sign in</button>
</form>`,
  );
}
