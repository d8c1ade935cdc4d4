/**
 * Getting tokens over real HTTP, for the `cases` CLI, the demo and the tests:
 * - clientCredentialsToken: an agency script's token (any OpenID provider, Keycloak included);
 * - personTokenByPassword: a member of staff's token through the real authorization code + PKCE flow, driving
 *   the development provider's own sign-in form (GET authorize, follow to the interaction, POST the form, follow
 *   consent, take the code from the redirect's Location without listening on the redirect port, exchange it with
 *   the verifier). Development only: it knows our dev sign-in form and nothing else;
 * - deviceFlow: the device authorization grant (start, then poll), and approveDeviceByPassword, which approves a
 *   user code through the development provider's pages, as a person at a browser would.
 * Nothing here logs or puts a password, secret or token in an error message.
 */
import { z } from 'zod';
import { discover, type Discovery } from './discovery';
import { createPkce, randomToken } from './pkce';
import { API_SCOPE, resourceIndicatorFor } from './resource';
import { OAuthError, postForm, requestToken, type TokenSet } from './token-endpoint';

export { OAuthError, type TokenSet } from './token-endpoint';

const STEP_TIMEOUT_MS = 10_000;
const MAX_STEPS = 20;
export const DEFAULT_PERSON_SCOPE = `openid profile email ${API_SCOPE}`;
const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

export class DevLoginError extends Error {
  override readonly name = 'DevLoginError';
}

function endpoint(doc: Discovery, name: 'token_endpoint' | 'authorization_endpoint' | 'device_authorization_endpoint') {
  const url = doc[name];
  if (!url) throw new DevLoginError(`the identity provider has no ${name}`);
  return url;
}

/** `resource` for the audience (RFC 8707); Keycloak ignores it and uses its audience mapper instead. */
const resourceParam = (audience: string | undefined): Record<string, string> =>
  audience ? { resource: resourceIndicatorFor(audience) } : {};

export interface ClientCredentialsOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  audience?: string;
  scope?: string;
}

/** An agency system's access token (client credentials grant). */
export async function clientCredentialsToken(options: ClientCredentialsOptions): Promise<TokenSet> {
  const doc = await discover(options.issuer);
  return requestToken(
    endpoint(doc, 'token_endpoint'),
    { grant_type: 'client_credentials', scope: options.scope ?? API_SCOPE, ...resourceParam(options.audience) },
    { clientId: options.clientId, clientSecret: options.clientSecret },
  );
}

/** The few cookies an authorization flow needs, for one host. Paths are ignored: names do not clash here. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  update(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        return (
          (k.toLowerCase() === 'max-age' && Number(v) <= 0) ||
          (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now())
        );
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }
}

/**
 * A browser, reduced to what our dev pages need: cookies (one jar: every origin here is on one host, and cookies
 * ignore ports), manual redirects, forms. It goes only to the origins it was given.
 */
export class DevBrowser {
  readonly jar = new CookieJar();
  readonly #origins: Set<string>;
  constructor(...origins: string[]) {
    this.#origins = new Set(origins.map((o) => new URL(o).origin));
  }

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    if (!this.#origins.has(new URL(url).origin)) throw new DevLoginError('the sign-in left the expected servers');
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        Cookie: this.jar.header(),
        ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    this.jar.update(res);
    return res;
  }
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/** The action of a form whose action ends with `suffix` on one of our pages, resolved against the page URL. */
function formAction(html: string, pageUrl: string, suffix: RegExp): string | undefined {
  for (const match of html.matchAll(/<form\b[^>]*\baction="([^"]*)"/g)) {
    const action = (match[1] ?? '').replace(/&amp;/g, '&');
    if (suffix.test(action)) return new URL(action, pageUrl).href;
  }
  return undefined;
}

function hiddenValue(html: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return match?.[1]?.replace(/&amp;/g, '&');
}

/** The message of our pages' `id="error"` element, without markup. */
function pageError(html: string): string {
  const match = /id="error"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  return match
    ? (match[1] ?? '')
        .replace(/<[^>]+>/g, '')
        .trim()
        .slice(0, 200)
    : 'unexpected page';
}

export interface Credentials {
  account: string;
  password: string;
}

export interface Step {
  /** The URL that answered. */
  url: string;
  status: number;
  /** The answer's Set-Cookie lines. */
  setCookies: string[];
  /** The absolute redirect target, for a redirect. */
  location?: string;
  /** The page, for any other answer. */
  html?: string;
}

/**
 * Follows redirects and fills our pages (sign-in, consent) until `done` recognizes a step. Throws when the
 * provider refuses the sign-in or shows something else.
 */
export async function drive(
  browser: DevBrowser,
  first: Response,
  firstUrl: string,
  credentials: Credentials,
  done: (step: Step) => boolean,
): Promise<Step> {
  let res = first;
  let url = firstUrl;
  for (let step = 0; step < MAX_STEPS; step++) {
    const location = res.headers.get('location');
    const seen = { url, status: res.status, setCookies: res.headers.getSetCookie() };
    if (isRedirect(res.status) && location) {
      await res.body?.cancel();
      const target = new URL(location, url).href;
      const redirect = { ...seen, location: target };
      if (done(redirect)) return redirect;
      url = target;
      res = await browser.request(url);
      continue;
    }
    const html = await res.text();
    if (done({ ...seen, html })) return { ...seen, html };
    if (res.status === 401) throw new DevLoginError(`sign-in refused for account ${credentials.account}`);
    const login = formAction(html, url, /\/interaction\/[\w-]+\/login$/);
    if (res.status === 200 && login) {
      url = login;
      res = await browser.request(url, { login: credentials.account, password: credentials.password });
      continue;
    }
    const confirm = formAction(html, url, /\/interaction\/[\w-]+\/confirm$/);
    if (res.status === 200 && confirm) {
      url = confirm;
      res = await browser.request(url, {});
      continue;
    }
    throw new DevLoginError(
      `the identity provider answered ${res.status} at ${new URL(url).pathname}: ${pageError(html)}`,
    );
  }
  throw new DevLoginError('too many steps in the sign-in');
}

export interface PersonTokenOptions {
  issuer: string;
  clientId: string;
  /** For a confidential client (gateway-web, codec-server); the CLI has none. */
  clientSecret?: string;
  /** A registered redirect URI; nothing listens there, the code is read from the redirect itself. */
  redirectUri: string;
  account: string;
  password: string;
  audience?: string;
  scope?: string;
}

/** A person's tokens through authorization code + PKCE against the dev provider's sign-in form. */
export async function personTokenByPassword(options: PersonTokenOptions): Promise<TokenSet> {
  const doc = await discover(options.issuer);
  const pkce = createPkce();
  const state = randomToken();
  const authorize = new URL(endpoint(doc, 'authorization_endpoint'));
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope ?? DEFAULT_PERSON_SCOPE,
    state,
    nonce: randomToken(),
    code_challenge: pkce.challenge,
    code_challenge_method: pkce.method,
    prompt: 'login',
    login_hint: options.account,
    ...resourceParam(options.audience),
  })) {
    authorize.searchParams.set(k, v);
  }
  const browser = new DevBrowser(authorize.origin);
  const redirect = new URL(options.redirectUri);
  const isCallback = (location?: string) => {
    if (!location) return false;
    const u = new URL(location);
    return u.origin === redirect.origin && u.pathname === redirect.pathname;
  };
  const { location } = await drive(browser, await browser.request(authorize.href), authorize.href, options, (step) =>
    isCallback(step.location),
  );
  const callback = new URL(location ?? '');
  const error = callback.searchParams.get('error');
  if (error) throw new OAuthError(error, callback.searchParams.get('error_description') ?? undefined);
  if (callback.searchParams.get('state') !== state) throw new DevLoginError('state mismatch in the sign-in response');
  const iss = callback.searchParams.get('iss');
  if (iss !== null && iss !== doc.issuer) throw new DevLoginError('the sign-in response names another issuer');
  const code = callback.searchParams.get('code');
  if (!code) throw new DevLoginError('the sign-in response has no code');
  return requestToken(
    endpoint(doc, 'token_endpoint'),
    { grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: pkce.verifier },
    {
      clientId: options.clientId,
      ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
    },
  );
}

const deviceAuthorizationResponse = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1).max(100),
  verification_uri: z.string().url(),
  verification_uri_complete: z.string().url().optional(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive().optional(),
});

export interface DeviceFlowOptions {
  issuer: string;
  clientId: string;
  audience?: string;
  scope?: string;
}

export interface DeviceAuthorization {
  /** What the person types at verificationUri. */
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  /** Polls the token endpoint until the person approves (or denies, or the code expires). */
  poll(options?: { timeoutMs?: number }): Promise<TokenSet>;
}

/** Starts the device authorization grant (RFC 8628) for a public client such as the `cases` CLI. */
export async function deviceFlow(options: DeviceFlowOptions): Promise<DeviceAuthorization> {
  const doc = await discover(options.issuer);
  const client = { clientId: options.clientId };
  const json = await postForm(
    endpoint(doc, 'device_authorization_endpoint'),
    { scope: options.scope ?? DEFAULT_PERSON_SCOPE, ...resourceParam(options.audience) },
    client,
  );
  const parsed = deviceAuthorizationResponse.safeParse(json);
  if (!parsed.success) throw new OAuthError('invalid_response', 'the device authorization answer is incomplete');
  const d = parsed.data;
  const tokenEndpoint = endpoint(doc, 'token_endpoint');
  return {
    userCode: d.user_code,
    verificationUri: d.verification_uri,
    ...(d.verification_uri_complete ? { verificationUriComplete: d.verification_uri_complete } : {}),
    expiresIn: d.expires_in,
    async poll({ timeoutMs = d.expires_in * 1000 } = {}) {
      let intervalMs = (d.interval ?? 5) * 1000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await requestToken(
            tokenEndpoint,
            { grant_type: GRANT_DEVICE_CODE, device_code: d.device_code },
            client,
          );
        } catch (err) {
          if (!(err instanceof OAuthError)) throw err;
          if (err.error === 'slow_down') intervalMs += 5_000;
          else if (err.error !== 'authorization_pending') throw err;
        }
        if (Date.now() + intervalMs > deadline) throw new OAuthError('expired_token', 'no approval before the timeout');
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    },
  };
}

export interface ApproveDeviceOptions {
  /** The verification URI the device flow returned. */
  verificationUri: string;
  userCode: string;
  account: string;
  password: string;
}

/** Approves a device flow's user code through the dev provider's pages: enter the code, confirm, sign in. */
export async function approveDeviceByPassword(options: ApproveDeviceOptions): Promise<void> {
  const browser = new DevBrowser(options.verificationUri);
  const input = await browser.request(options.verificationUri);
  const inputHtml = await input.text();
  const inputAction = formAction(inputHtml, options.verificationUri, /\/device$/);
  const xsrf = hiddenValue(inputHtml, 'xsrf');
  if (input.status !== 200 || !inputAction || !xsrf) {
    throw new DevLoginError(`the device page answered ${input.status}: ${pageError(inputHtml)}`);
  }
  const confirmPage = await browser.request(inputAction, { xsrf, user_code: options.userCode });
  const confirmHtml = await confirmPage.text();
  const confirmXsrf = hiddenValue(confirmHtml, 'xsrf');
  if (confirmPage.status !== 200 || !confirmXsrf || !confirmHtml.includes('name="confirm"')) {
    throw new DevLoginError(`the device code was not accepted: ${pageError(confirmHtml)}`);
  }
  const approved = await browser.request(inputAction, {
    xsrf: confirmXsrf,
    user_code: options.userCode,
    confirm: 'yes',
  });
  await drive(browser, approved, inputAction, options, (step) => step.html?.includes('id="device-approved"') === true);
}
