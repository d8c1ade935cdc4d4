/**
 * The codec server's sign-in and sessions over HTTP, against the real development identity provider (the UI test
 * drives the same flow in Chromium): /session sends the browser to the provider (authorization code + PKCE), the
 * callback admits admins only and records who signed in, the session cookie's attributes and who may use it, bearer
 * access tokens, sign-out, login CSRF and replay, expiry and the cap on live sessions, and the break-glass token.
 * Needs no Temporal: the codec runs in-process.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createCodecServer, type CodecServerOptions } from '../../src/codec-server/server';
import { SessionStore } from '../../src/codec-server/session';
import { SignInFlow } from '../../src/codec-server/sign-in';
import { DevBrowser } from '../../src/identity/dev-login';
import { createTokenVerifier } from '../../src/identity/verify';
import { EncryptionCodec, INSPECTOR_POLICY } from '../../src/temporal/codec';
import { Keyring } from '../../src/temporal/keyring';
import { browserSignIn, startIdentityProvider, type IdentityProviderHandle } from '../support/identity';
import { freePort } from '../support/proc';

jest.setTimeout(120_000);

const UI = 'http://127.0.0.1:8233';
const EMPTY = '{"payloads":[]}';
const BREAK_GLASS = `break-glass-${randomBytes(8).toString('hex')}`;

interface LogLine {
  msg: string;
  level: number;
  status?: number;
  auth?: string;
  session?: string;
  subject?: string;
  staffId?: string;
  operation?: string;
}

interface Started {
  base: string;
  logs: string[];
  lines(): LogLine[];
  close(): Promise<void>;
}

let idp: IdentityProviderHandle;
let port: number;

beforeAll(async () => {
  // The codec server's address must be known first: the provider registers its callback URL.
  port = await freePort();
  idp = await startIdentityProvider({ env: { CODEC_SERVER_URL: `http://127.0.0.1:${port}` } });
});

afterAll(async () => {
  await idp?.stop({ removeData: true });
});

async function start(extra: Partial<CodecServerOptions> = {}, listenPort = 0): Promise<Started> {
  const logs: string[] = [];
  const base = `http://127.0.0.1:${listenPort}`;
  const server: Server = createCodecServer({
    codec: new EncryptionCodec(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1'), INSPECTOR_POLICY),
    verifier: createTokenVerifier(idp.verifierOptions()),
    signIn: new SignInFlow({
      issuer: idp.issuer,
      clientId: 'codec-server',
      clientSecret: idp.secrets.clients['codec-server']!,
      redirectUri: `${base}/session/callback`,
    }),
    allowedOrigin: UI,
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: own,
    logs,
    lines: () => logs.map((l) => JSON.parse(l) as LogLine),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** `name=value` of a cookie among Set-Cookie lines, and its attributes. */
function cookieOf(lines: string[], name: string): { pair: string; value: string; attributes: string[] } | undefined {
  const header = lines.find((c) => c.startsWith(`${name}=`));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(';').map((s) => s.trim());
  return { pair: pair!, value: pair!.slice(name.length + 1), attributes };
}

const decode = (s: Started, headers: Record<string, string>) =>
  fetch(`${s.base}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: EMPTY,
  });

describe('signing in through the identity provider', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({}, port);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts an authorization code + PKCE sign-in at the provider, bound to this browser by a short-lived cookie', async () => {
    const res = await fetch(`${s.base}/session`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'codec-server',
      redirect_uri: `${s.base}/session/callback`,
      code_challenge_method: 'S256',
      prompt: 'login',
    });
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const binding = cookieOf(res.headers.getSetCookie(), 'codec_signin')!;
    expect(binding.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(binding.value).not.toBe(location.searchParams.get('state'));
    expect(binding.attributes).toEqual(['Path=/session', 'Max-Age=600', 'HttpOnly', 'SameSite=Lax']);
  });

  it('signs an admin in: a random id in an HttpOnly, SameSite=Strict cookie for 8 hours, recording who', async () => {
    const { step, browser } = await browserSignIn(idp, `${s.base}/session`, 'admin-1');
    expect(step.url).toMatch(new RegExp(`^${s.base}/session/callback\\?`));
    expect(step.status).toBe(200);
    expect(step.html).toContain('Signed in as <strong id="who">admin-1</strong>');
    const cookie = cookieOf(step.setCookies, 'codec_session')!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toEqual(['Path=/', 'Max-Age=28800', 'HttpOnly', 'SameSite=Strict']);
    expect(cookieOf(step.setCookies, 'codec_signin')!.attributes).toContain('Max-Age=0');
    // The page shows the state to whoever holds the cookie.
    const page = await (await fetch(`${s.base}/session`, { headers: { Cookie: cookie.pair } })).text();
    expect(page).toContain('Signed in as <strong id="who">admin-1</strong>');
    expect(browser.jar.get('codec_session')).toBe(cookie.value);
    expect(s.lines()).toContainEqual(
      expect.objectContaining({
        session: 'signed-in',
        subject: '3005ea2b-f608-48ce-b389-adcb33f5702a',
        staffId: 'admin-1',
      }),
    );
  });

  it('refuses anyone without the admin role with 403 and a plain message, and no session', async () => {
    for (const account of ['clerk-4', 'fiscal-coord-02']) {
      const { step } = await browserSignIn(idp, `${s.base}/session`, account);
      expect(step.status).toBe(403);
      expect(step.html).toContain('Decoding payloads needs the admin role, and this account does not have it.');
      expect(cookieOf(step.setCookies, 'codec_session')).toBeUndefined();
    }
    expect(s.lines()).toContainEqual(expect.objectContaining({ session: 'refused', staffId: 'clerk-4', status: 403 }));
  });

  it('accepts the callback only in the browser that started the sign-in (no login CSRF)', async () => {
    // The victim's browser starts a sign-in and gets as far as the provider's redirect back with a code.
    const { step } = await browserSignIn(idp, `${s.base}/session`, 'admin-1', {
      stopAt: (st) => st.location?.startsWith(`${s.base}/session/callback`) === true,
    });
    const callback = step.location!;
    // Anyone else, with that URL but without the browser's sign-in cookie, gets nothing.
    for (const cookie of [undefined, `codec_signin=${'A'.repeat(43)}`]) {
      const stolen = await fetch(callback, { headers: cookie ? { Cookie: cookie } : {} });
      expect(stolen.status).toBe(400);
      expect(cookieOf(stolen.headers.getSetCookie(), 'codec_session')).toBeUndefined();
    }
  });

  it('a callback is good once: replaying it, or inventing one, is refused', async () => {
    const browser = new DevBrowser(s.base, idp.issuer);
    const { step } = await browserSignIn(idp, `${s.base}/session`, 'admin-1', {
      browser,
      stopAt: (st) => st.location?.startsWith(`${s.base}/session/callback`) === true,
    });
    const binding = `codec_signin=${browser.jar.get('codec_signin')}`;
    const first = await browser.request(step.location!);
    expect(first.status).toBe(200);
    // The browser's sign-in cookie is cleared now; sending the old one back shows the state itself is spent.
    const replay = await fetch(step.location!, { headers: { Cookie: binding } });
    expect(replay.status).toBe(400);
    const invented = await fetch(`${s.base}/session/callback?code=x-invented&state=y`, {
      headers: { Cookie: binding },
    });
    expect(invented.status).toBe(400);
    expect(await invented.text()).not.toContain('x-invented');
  });

  it('a sign-in cancelled at the provider ends with 401 and no session', async () => {
    const browser = new DevBrowser(s.base, idp.issuer);
    const start = await browser.request(`${s.base}/session`);
    let res = await browser.request(new URL(start.headers.get('location')!).href);
    res = await browser.request(new URL(res.headers.get('location')!, idp.issuer).href);
    const html = await res.text();
    const abort = /action="([^"]*\/abort)"/.exec(html)?.[1];
    expect(abort).toBeDefined();
    res = await browser.request(new URL(abort!, idp.issuer).href, {});
    for (let hops = 0; hops < 5 && res.status === 303; hops++) {
      res = await browser.request(new URL(res.headers.get('location')!, idp.issuer).href);
    }
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('The sign-in was cancelled or refused by the identity provider.');
    expect(browser.jar.get('codec_session')).toBeUndefined();
  });

  it('lets the cookie decode only for requests from the UI origin, with credentialed CORS, logged with the subject', async () => {
    const { step } = await browserSignIn(idp, `${s.base}/session`, 'admin-1');
    const cookie = cookieOf(step.setCookies, 'codec_session')!.pair;
    const fromUi = await decode(s, { Cookie: cookie, Origin: UI });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect(s.lines()).toContainEqual(
      expect.objectContaining({ operation: 'decode', auth: 'session', staffId: 'admin-1', status: 200 }),
    );
    // Cookies are not port-specific: any local page could make the browser send it. Those get nothing.
    const other = await decode(s, { Cookie: cookie, Origin: 'http://127.0.0.1:1' });
    expect(other.status).toBe(401);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await decode(s, { Cookie: cookie })).status).toBe(401);
    expect((await decode(s, { Cookie: `codec_session=${'A'.repeat(43)}`, Origin: UI })).status).toBe(401);
    expect((await decode(s, { Cookie: 'codec_session=../../etc', Origin: UI })).status).toBe(401);
  });

  it('takes an admin access token as a bearer token (the Temporal CLI), refuses others', async () => {
    const admin = await idp.personToken('admin-1');
    expect((await decode(s, { Authorization: `Bearer ${admin}` })).status).toBe(200);
    const judge = await idp.personToken('judge-9');
    expect((await decode(s, { Authorization: `Bearer ${judge}` })).status).toBe(403);
    const script = await idp.clientToken('prosecution-system');
    expect((await decode(s, { Authorization: `Bearer ${script}` })).status).toBe(403);
    expect((await decode(s, { Authorization: `Bearer ${admin.slice(0, -2)}xx` })).status).toBe(401);
    expect(s.lines()).toContainEqual(
      expect.objectContaining({ operation: 'decode', auth: 'bearer', staffId: 'admin-1', status: 200 }),
    );
  });

  it('replaces the session on every sign-in (no fixation) and ends it on sign-out', async () => {
    const admin = await idp.personToken('admin-1');
    const signIn = async (cookie?: string) => {
      const res = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin}`, ...(cookie ? { Cookie: cookie } : {}) },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ signedIn: true, expiresAt: expect.any(String) });
      return cookieOf(res.headers.getSetCookie(), 'codec_session')!.pair;
    };
    const first = await signIn();
    const second = await signIn(first);
    expect(second).not.toBe(first);
    expect((await decode(s, { Cookie: first, Origin: UI })).status).toBe(401);
    expect((await decode(s, { Cookie: second, Origin: UI })).status).toBe(200);

    const out = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { ...FORM, Origin: s.base, Cookie: second },
      body: 'signout=1',
    });
    expect(out.status).toBe(200);
    expect(await out.text()).toContain('Signed out');
    expect(cookieOf(out.headers.getSetCookie(), 'codec_session')!.attributes).toContain('Max-Age=0');
    expect((await decode(s, { Cookie: second, Origin: UI })).status).toBe(401);

    const third = await signIn();
    const del = await fetch(`${s.base}/session`, { method: 'DELETE', headers: { Cookie: third } });
    expect(del.status).toBe(200);
    expect((await decode(s, { Cookie: third, Origin: UI })).status).toBe(401);
  });

  it('refuses sign-in or sign-out posted by any other page, the UI included', async () => {
    const admin = await idp.personToken('admin-1');
    for (const origin of [UI, 'http://evil.example', 'null', 'http://127.0.0.1:1']) {
      const res = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin}`, Origin: origin },
      });
      expect(res.status).toBe(403);
      expect(cookieOf(res.headers.getSetCookie(), 'codec_session')).toBeUndefined();
    }
  });

  it('scopes the cookies to the path prefix the server is mounted at', async () => {
    const admin = await idp.personToken('admin-1');
    const res = await fetch(`${s.base}/codec/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(cookieOf(res.headers.getSetCookie(), 'codec_session')!.attributes).toContain('Path=/codec');
    const started = await fetch(`${s.base}/codec/session`, { redirect: 'manual' });
    expect(cookieOf(started.headers.getSetCookie(), 'codec_signin')!.attributes).toContain('Path=/codec/session');
  });

  it('logs sign-ins and refusals, never a token, a code or a session id', () => {
    const text = s.logs.join('');
    expect(text).toContain('"session":"signed-in"');
    expect(text).toContain('"session":"refused"');
    expect(text).toContain('"auth":"session"');
    expect(text).not.toMatch(/codec_session=|codec_signin=|eyJ|code=/);
  });
});

describe('session lifetime', () => {
  it('expires sessions, caps how many live, marks the cookie Secure when told to, takes sign-out via an https proxy', async () => {
    let now = Date.now();
    const sessions = new SessionStore({ ttlMs: 60_000, maxSessions: 2, now: () => now });
    const s = await start({ sessions, secureCookie: true });
    const admin = await idp.personToken('admin-1');
    try {
      const signIn = async () =>
        cookieOf(
          (
            await fetch(`${s.base}/session`, { method: 'POST', headers: { Authorization: `Bearer ${admin}` } })
          ).headers.getSetCookie(),
          'codec_session',
        )!;
      const cookie = await signIn();
      expect(cookie.attributes).toEqual(['Path=/', 'Max-Age=60', 'HttpOnly', 'SameSite=Strict', 'Secure']);
      expect((await decode(s, { Cookie: cookie.pair, Origin: UI })).status).toBe(200);
      now += 61_000;
      expect((await decode(s, { Cookie: cookie.pair, Origin: UI })).status).toBe(401);

      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await signIn()).pair);
      expect(sessions.size).toBe(2);
      expect((await decode(s, { Cookie: ids[0]!, Origin: UI })).status).toBe(401);
      expect((await decode(s, { Cookie: ids[2]!, Origin: UI })).status).toBe(200);
      // Behind a TLS-terminating proxy the page is https while this server sees plain http: still its own page.
      const viaProxy = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: s.base.replace('http:', 'https:'), Cookie: ids[2]! },
        body: 'signout=1',
      });
      expect(viaProxy.status).toBe(200);
      expect((await decode(s, { Cookie: ids[2]!, Origin: UI })).status).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('break-glass and an unreachable identity provider', () => {
  it('offers the break-glass form only when configured; its sessions and decodes are logged as break-glass', async () => {
    const s = await start({ breakGlassToken: BREAK_GLASS });
    try {
      const page = await fetch(`${s.base}/session/break-glass`);
      expect(page.status).toBe(200);
      expect(await page.text()).not.toMatch(/<script/i);
      const wrong = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: s.base },
        body: new URLSearchParams({ token: 'wrong-<b>0123456789</b>' }),
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).not.toContain('0123456789');
      const res = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: s.base },
        body: new URLSearchParams({ token: BREAK_GLASS }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Signed in as <strong id="who">the break-glass token</strong>');
      const cookie = cookieOf(res.headers.getSetCookie(), 'codec_session')!.pair;
      expect((await decode(s, { Cookie: cookie, Origin: UI })).status).toBe(200);
      expect(s.lines()).toContainEqual(
        expect.objectContaining({ msg: 'codec request with the break-glass token', auth: 'break-glass', level: 40 }),
      );
      expect(s.logs.join('')).not.toContain(BREAK_GLASS);
    } finally {
      await s.close();
    }
    const without = await start();
    try {
      expect((await fetch(`${without.base}/session/break-glass`)).status).toBe(404);
      const res = await fetch(`${without.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: without.base },
        body: new URLSearchParams({ token: BREAK_GLASS }),
      });
      expect(res.status).toBe(401);
    } finally {
      await without.close();
    }
  });

  it('says so when the identity provider cannot be reached, pointing to break-glass when there is one', async () => {
    const s = await start({
      breakGlassToken: BREAK_GLASS,
      verifier: createTokenVerifier(idp.verifierOptions({ issuer: 'http://127.0.0.1:1' })),
      signIn: new SignInFlow({
        issuer: 'http://127.0.0.1:1',
        clientId: 'codec-server',
        clientSecret: 'x'.repeat(32),
        redirectUri: 'http://127.0.0.1:1/session/callback',
      }),
    });
    try {
      const res = await fetch(`${s.base}/session`, { redirect: 'manual' });
      expect(res.status).toBe(503);
      const html = await res.text();
      expect(html).toContain('The identity provider cannot be reached');
      expect(html).toContain('/session/break-glass');
      const admin = await idp.personToken('admin-1');
      expect((await decode(s, { Authorization: `Bearer ${admin}` })).status).toBe(503);
      expect((await decode(s, { Authorization: `Bearer ${BREAK_GLASS}` })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
