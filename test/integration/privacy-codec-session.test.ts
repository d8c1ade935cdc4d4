/**
 * The codec server's browser sessions over HTTP (the UI test drives the same flow in Chromium): sign-in page,
 * sign-in by form, JSON or bearer header, cookie attributes, who may use the cookie, sign-out, expiry and the cap
 * on live sessions. Needs no Temporal: the codec runs in-process.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createCodecServer, type CodecServerOptions } from '../../src/codec-server/server';
import { SessionStore } from '../../src/codec-server/session';
import { EncryptionCodec } from '../../src/temporal/codec';
import { Keyring } from '../../src/temporal/keyring';

const TOKEN = `session-test-${randomBytes(8).toString('hex')}`;
const UI = 'http://127.0.0.1:8233';
const EMPTY = '{"payloads":[]}';

interface Started {
  base: string;
  own: string;
  logs: string[];
  close(): Promise<void>;
}

async function start(extra: Partial<CodecServerOptions> = {}): Promise<Started> {
  const logs: string[] = [];
  const server: Server = createCodecServer({
    codec: new EncryptionCodec(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1')),
    token: TOKEN,
    allowedOrigin: UI,
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: own,
    own,
    logs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** `name=value` of our cookie from a response, and its attributes. */
function sessionCookieOf(res: Response): { pair: string; value: string; attributes: string[] } | undefined {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('codec_session='));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(';').map((s) => s.trim());
  return { pair: pair!, value: pair!.slice('codec_session='.length), attributes };
}

async function signIn(s: Started, path = '/session'): Promise<string> {
  const res = await fetch(`${s.base}${path}`, {
    method: 'POST',
    headers: { ...FORM, Origin: s.own },
    body: form({ token: TOKEN }),
  });
  expect(res.status).toBe(200);
  return sessionCookieOf(res)!.pair;
}

const decode = (s: Started, cookie: string, origin?: string) =>
  fetch(`${s.base}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, ...(origin ? { Origin: origin } : {}) },
    body: EMPTY,
  });

describe('codec server sessions', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('serves a sign-in page with no script, no framing and no caching', async () => {
    const res = await fetch(`${s.base}/session`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('Not signed in');
    expect(html).not.toMatch(/<script/i);
  });

  it('refuses a wrong token without a cookie and without echoing it', async () => {
    const wrong = 'wrong-token-<b>0123456789</b>';
    const res = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { ...FORM, Origin: s.own },
      body: form({ token: wrong }),
    });
    expect(res.status).toBe(401);
    expect(sessionCookieOf(res)).toBeUndefined();
    const html = await res.text();
    expect(html).toContain('Wrong token');
    expect(html).not.toContain('0123456789');
  });

  it('signs in from its own page: a random id in an HttpOnly, SameSite=Strict cookie for 8 hours', async () => {
    const res = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { ...FORM, Origin: s.own },
      body: form({ token: TOKEN }),
    });
    expect(res.status).toBe(200);
    const cookie = sessionCookieOf(res)!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toEqual(['Path=/', 'Max-Age=28800', 'HttpOnly', 'SameSite=Strict']);
    const html = await res.text();
    expect(html).toContain('Signed in until');
    expect(html).not.toContain(TOKEN);
    // The page shows the state to whoever holds the cookie.
    const page = await (await fetch(`${s.base}/session`, { headers: { Cookie: cookie.pair } })).text();
    expect(page).toContain('Signed in until');
  });

  it('signs in with JSON or the bearer header too (scripts, curl: no Origin)', async () => {
    const json = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ signedIn: true, expiresAt: expect.any(String) });
    expect(sessionCookieOf(json)).toBeDefined();
    const bearer = await fetch(`${s.base}/session`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(sessionCookieOf(bearer)).toBeDefined();
    const wrong = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { Authorization: 'Bearer nope-nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses sign-in posted by any other page, the UI included (no login CSRF)', async () => {
    for (const origin of [UI, 'http://evil.example', 'null', 'http://127.0.0.1:1']) {
      const res = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: origin },
        body: form({ token: TOKEN }),
      });
      expect(res.status).toBe(403);
      expect(sessionCookieOf(res)).toBeUndefined();
    }
  });

  it('lets the cookie decode only for requests from the UI origin, with credentialed CORS', async () => {
    const cookie = await signIn(s);
    const fromUi = await decode(s, cookie, UI);
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    // Cookies are not port-specific: any local page could make the browser send it. Those get nothing.
    const other = await decode(s, cookie, 'http://127.0.0.1:1');
    expect(other.status).toBe(401);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await decode(s, cookie)).status).toBe(401);
    expect((await decode(s, `codec_session=${'A'.repeat(43)}`, UI)).status).toBe(401);
    expect((await decode(s, 'codec_session=../../etc', UI)).status).toBe(401);
    // The preflight the UI's credentialed fetch makes first.
    const preflight = await fetch(`${s.base}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('replaces the session on every sign-in (no fixation) and ends it on sign-out', async () => {
    const first = await signIn(s);
    const res = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { ...FORM, Origin: s.own, Cookie: first },
      body: form({ token: TOKEN }),
    });
    const second = sessionCookieOf(res)!.pair;
    expect(second).not.toBe(first);
    expect((await decode(s, first, UI)).status).toBe(401);
    expect((await decode(s, second, UI)).status).toBe(200);

    const out = await fetch(`${s.base}/session`, {
      method: 'POST',
      headers: { ...FORM, Origin: s.own, Cookie: second },
      body: form({ signout: '1' }),
    });
    expect(out.status).toBe(200);
    expect(sessionCookieOf(out)!.attributes).toContain('Max-Age=0');
    expect((await decode(s, second, UI)).status).toBe(401);

    const third = await signIn(s);
    const del = await fetch(`${s.base}/session`, { method: 'DELETE', headers: { Cookie: third } });
    expect(del.status).toBe(200);
    expect((await decode(s, third, UI)).status).toBe(401);
  });

  it('scopes the cookie to the path prefix the server is mounted at', async () => {
    const res = await fetch(`${s.base}/codec/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(sessionCookieOf(res)!.attributes).toContain('Path=/codec');
  });

  it('logs sign-ins and refusals, never a token or a session id', () => {
    const text = s.logs.join('');
    expect(text).toContain('"session":"signed-in"');
    expect(text).toContain('"session":"refused"');
    expect(text).toContain('"auth":"session"');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/codec_session=/);
  });
});

describe('session lifetime', () => {
  it('expires sessions, caps how many live, marks the cookie Secure when told to, takes sign-in via an https proxy', async () => {
    let now = Date.now();
    const sessions = new SessionStore({ ttlMs: 60_000, maxSessions: 2, now: () => now });
    const s = await start({ sessions, secureCookie: true });
    try {
      const res = await fetch(`${s.base}/session`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
      const cookie = sessionCookieOf(res)!;
      expect(cookie.attributes).toEqual(['Path=/', 'Max-Age=60', 'HttpOnly', 'SameSite=Strict', 'Secure']);
      expect((await decode(s, cookie.pair, UI)).status).toBe(200);
      now += 61_000;
      expect((await decode(s, cookie.pair, UI)).status).toBe(401);

      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${s.base}/session`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
        ids.push(sessionCookieOf(r)!.pair);
      }
      expect(sessions.size).toBe(2);
      expect((await decode(s, ids[0]!, UI)).status).toBe(401);
      expect((await decode(s, ids[2]!, UI)).status).toBe(200);
      // Behind a TLS-terminating proxy the page is https while this server sees plain http: still its own page.
      const viaProxy = await fetch(`${s.base}/session`, {
        method: 'POST',
        headers: { ...FORM, Origin: s.own.replace('http:', 'https:') },
        body: form({ token: TOKEN }),
      });
      expect(viaProxy.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
