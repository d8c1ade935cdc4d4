/**
 * The codec server's sign-in page: one form for the bearer token, one to sign out. Static HTML with no script; the
 * only values it shows come from configuration (the UI origin) or the server (an expiry time), and are escaped all
 * the same. Nothing the client sent is ever echoed back.
 */
import type { OutgoingHttpHeaders } from 'node:http';

/** For every HTML answer: no script at all, forms may only post back here, no framing (clickjacking). */
export const HTML_HEADERS: OutgoingHttpHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it, browsers send `Origin: null` on the form post and the origin check cannot tell.
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

const signOutForm = `<form method="post"><input type="hidden" name="signout" value="1"><button type="submit" id="signout">Sign out</button></form>`;

export function loginPage(uiOrigin: string, signedInUntil?: number): string {
  const status =
    signedInUntil === undefined
      ? '<p>Not signed in.</p>'
      : `<p id="status">Signed in until ${escape(new Date(signedInUntil).toISOString())}.</p>${signOutForm}`;
  return page(
    'Codec server sign-in',
    `${status}
<p>Signing in lets the Temporal UI at <code>${escape(uiOrigin)}</code> decrypt payloads in this browser. Everything
you open there afterwards shows victims' data in the clear.</p>
<form method="post" autocomplete="off">
<label for="token">Codec server token</label><br>
<input type="password" id="token" name="token" required minlength="16" autofocus><br><br>
<button type="submit" id="signin">Sign in</button>
</form>
<p class="note">The session is a cookie for this server only (HttpOnly, SameSite=Strict); it expires on its own and
with every restart of the codec server.</p>`,
  );
}

export function signedInPage(uiOrigin: string, expiresAt: number): string {
  return page(
    'Signed in',
    `<p id="status">Signed in until ${escape(new Date(expiresAt).toISOString())}.</p>
<p>Back to the Temporal UI: <a href="${escape(uiOrigin)}">${escape(uiOrigin)}</a>. If it still shows ciphertext, its
cluster setting does not send credentials: open <b>Codec Server</b> settings there once per browser, choose
"Use my browser setting", enter this server's address as the endpoint and tick <b>Include cross-origin
credentials</b>.</p>
${signOutForm}`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<p id="status">Signed out. This browser can no longer decode.</p>');
}

export function refusedPage(): string {
  return page('Sign-in refused', '<p id="status">Wrong token.</p><p><a href="">Try again</a></p>');
}
