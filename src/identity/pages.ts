/**
 * The development identity provider's pages: sign-in, consent, device code entry and confirmation, sign-out, errors.
 * Server-rendered HTML with no script at all (the CSP forbids it), labelled controls and a lang attribute; every
 * value is escaped. Every page says plainly that this is the development provider: production signs in through
 * Keycloak. Element ids (account-<username>, password, signin, ...) are stable: tests and dev-login.ts use them.
 */
import type { DevAccount } from './seed';

export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
.dev{background:#fff3cd;border:1px solid #c69500;padding:.5rem .75rem;border-radius:4px}
fieldset{border:1px solid #bbb;border-radius:4px}label{cursor:pointer}
input[type=password],input[type=text]{width:100%;max-width:24rem;padding:.4rem;font:inherit}
button{padding:.4rem 1rem;font:inherit;margin-right:.5rem}.error{color:#a00000;font-weight:600}
.note{color:#444;font-size:13px}code{font-size:14px}`;

function page(title: string, body: string, lang = 'en'): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<p class="dev" role="note"><strong>Development identity provider.</strong> Dev accounts only, on this machine;
production signs in through the agencies' Keycloak.</p>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

function accountLabel(a: DevAccount): string {
  const where = a.agency ?? 'no agency';
  return `${a.username}: ${a.roles.join(', ')} (${where})`;
}

export interface LoginPageInput {
  action: string;
  abortAction: string;
  clientName: string;
  accounts: readonly DevAccount[];
  selected?: string;
  failed?: boolean;
}

export function loginPage(input: LoginPageInput): string {
  const options = input.accounts
    .map((a) => {
      const id = `account-${a.username}`;
      const checked = a.username === input.selected ? ' checked' : '';
      return `<div><input type="radio" name="login" id="${escapeHtml(id)}" value="${escapeHtml(a.username)}"${checked} required>
<label for="${escapeHtml(id)}">${escapeHtml(accountLabel(a))}</label></div>`;
    })
    .join('\n');
  const error = input.failed ? '<p class="error" id="error" role="alert">Unknown account or wrong password.</p>' : '';
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="off">
<fieldset><legend>Dev account</legend>
${options}
</fieldset>
<p><label for="password">Password</label><br>
<input type="password" id="password" name="password" required aria-describedby="password-note"></p>
<p class="note" id="password-note">All dev accounts share one password, generated at the provider's first start into
<code>$DATA_DIR/identity/secrets.json</code> (<code>devPassword</code>).</p>
<button type="submit" id="signin">Sign in</button>
</form>
<form method="post" action="${escapeHtml(input.abortAction)}"><button type="submit" id="cancel">Cancel</button></form>`,
  );
}

export interface ConsentPageInput {
  action: string;
  abortAction: string;
  clientName: string;
  scopes: readonly string[];
}

export function consentPage(input: ConsentPageInput): string {
  const scopes = input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  return page(
    'Allow access?',
    `<p><strong>${escapeHtml(input.clientName)}</strong> asks to act on your behalf with:</p>
<ul>${scopes || '<li>your identity</li>'}</ul>
<form method="post" action="${escapeHtml(input.action)}"><button type="submit" id="allow">Allow</button></form>
<form method="post" action="${escapeHtml(input.abortAction)}"><button type="submit" id="deny">Deny</button></form>`,
  );
}

export function deviceInputPage(action: string, xsrf: string, problem?: string): string {
  const message = problem
    ? `<p class="error" id="error" role="alert">${escapeHtml(problem)}</p>`
    : '<p>Enter the code shown by the <code>cases</code> command line.</p>';
  return page(
    'Sign in a device',
    `${message}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<p><label for="user_code">Code</label><br><input type="text" id="user_code" name="user_code" required autofocus></p>
<button type="submit" id="continue">Continue</button>
</form>`,
  );
}

export function deviceConfirmPage(action: string, xsrf: string, userCode: string, clientName: string): string {
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="user_code" value="${escapeHtml(userCode)}">`;
  return page(
    'Confirm the device',
    `<p><strong>${escapeHtml(clientName)}</strong> asks to sign in. It should show this code:</p>
<p><code id="user-code">${escapeHtml(userCode)}</code></p>
<p>If you did not start this, or the code differs, abort.</p>
<form method="post" action="${escapeHtml(action)}">${hidden}<input type="hidden" name="confirm" value="yes">
<button type="submit" id="confirm">Continue</button></form>
<form method="post" action="${escapeHtml(action)}">${hidden}<input type="hidden" name="abort" value="yes">
<button type="submit" id="abort">Abort</button></form>`,
  );
}

export function deviceSuccessPage(clientName: string): string {
  return page(
    'Device signed in',
    `<p id="device-approved">${escapeHtml(clientName)} is signed in. You can close this page.</p>`,
  );
}

/** The provider hands over its form (hidden xsrf, id op.logoutForm); the buttons submit it by reference. */
export function logoutPage(providerForm: string, host: string): string {
  return page(
    'Sign out?',
    `<p>Sign out of the development identity provider at <code>${escapeHtml(host)}</code>?</p>
${providerForm}
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" id="stay">No, stay signed in</button>`,
  );
}

export function loggedOutPage(): string {
  return page('Signed out', '<p id="signed-out">You are signed out of the development identity provider.</p>');
}

/** OAuth error codes and the provider's own descriptions; never request input. */
export function errorPage(error: string, description?: string): string {
  return page(
    'Sign-in problem',
    `<p class="error" id="error" role="alert"><code>${escapeHtml(error)}</code>${
      description ? `: ${escapeHtml(description)}` : ''
    }</p>`,
  );
}
