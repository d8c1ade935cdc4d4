import { cookieValue, setCookie, WebSessionStore } from '../../src/web/session';
import { loadWebConfig } from '../../src/web/config';
import { safeReturnPath } from '../../src/web/sign-in';

const actor = { agency: 'JUDICIARY' as const, staffId: 'judge-9', roles: ['judge' as const] };
const tokens = { accessToken: 'a', accessExpiresAt: 0 };

describe('web sessions', () => {
  it('end after the idle timeout; page views keep them alive, background reads do not', () => {
    let now = 1_000_000;
    const store = new WebSessionStore({ idleTimeoutMs: 60_000, maxAgeMs: 3_600_000, maxSessions: 10, now: () => now });
    const { id } = store.create({ actor, tokens, csrfSecret: 's' });
    now += 50_000;
    expect(store.get(id, { touch: true })).toBeDefined();
    now += 50_000;
    expect(store.isLive(id)).toBe(true);
    now += 50_000;
    expect(store.isLive(id)).toBe(false);
    expect(store.get(id, { touch: true })).toBeUndefined();
  });

  it('end at their absolute end however busy, on sign-out, and when too many are open', () => {
    let now = 0;
    const store = new WebSessionStore({ idleTimeoutMs: 60_000, maxAgeMs: 120_000, maxSessions: 2, now: () => now });
    const a = store.create({ actor, tokens, csrfSecret: 's' }).id;
    for (let i = 0; i < 4; i++) {
      now += 30_000;
      store.get(a, { touch: true });
    }
    expect(store.isLive(a)).toBe(false);
    const b = store.create({ actor, tokens, csrfSecret: 's' }).id;
    expect(store.end(b)).toBeDefined();
    expect(store.isLive(b)).toBe(false);
    const c = store.create({ actor, tokens, csrfSecret: 's' }).id;
    const d = store.create({ actor, tokens, csrfSecret: 's' }).id;
    const e = store.create({ actor, tokens, csrfSecret: 's' }).id;
    expect([store.isLive(c), store.isLive(d), store.isLive(e)]).toEqual([false, true, true]);
  });

  it('take only well-formed ids, and keep tokens out of the cookie', () => {
    const store = new WebSessionStore({ idleTimeoutMs: 60_000, maxAgeMs: 120_000, maxSessions: 2 });
    const { id, session } = store.create({
      actor,
      tokens: { accessToken: 'secret-token', accessExpiresAt: 1 },
      csrfSecret: 's',
    });
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).not.toContain('secret-token');
    expect(store.get(`${id}x`)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get(id)).toBe(session);
  });

  it('set HttpOnly SameSite=Lax cookies, Secure when asked', () => {
    expect(setCookie('__Host-cases_web', 'v', 60_000, { secure: true })).toBe(
      '__Host-cases_web=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
    );
    expect(setCookie('cases_web', 'v', 60_000, { secure: false })).not.toContain('Secure');
    expect(cookieValue('a=1; cases_web=xyz; b=2', 'cases_web')).toBe('xyz');
    expect(cookieValue(undefined, 'cases_web')).toBeUndefined();
  });

  it('return after sign-in only to our own pages', () => {
    expect(safeReturnPath('/tasks/case-PE-LIM-2026-0042~T3')).toBe('/tasks/case-PE-LIM-2026-0042~T3');
    expect(safeReturnPath('/inbox?mine=true&dueWithin=24h')).toBe('/inbox?mine=true&dueWithin=24h');
    expect(safeReturnPath('//evil.example/inbox')).toBe('/inbox');
    expect(safeReturnPath('https://evil.example/')).toBe('/inbox');
    expect(safeReturnPath('/auth/sign-out')).toBe('/inbox');
    expect(safeReturnPath('/inbox\\@evil')).toBe('/inbox');
    expect(safeReturnPath(42)).toBe('/inbox');
  });
});

describe('web app settings', () => {
  const base = { GATEWAY_URL: 'https://cases.example.org/', DATA_DIR: '/nonexistent' };
  const secret = 'x'.repeat(32);

  it('turns the web app on when the client secret is at hand, and refuses to start without one when asked to', () => {
    expect(loadWebConfig(base, {}).enabled).toBe(false);
    expect(loadWebConfig(base, { GATEWAY_WEB_CLIENT_SECRET: secret })).toMatchObject({
      enabled: true,
      publicUrl: 'https://cases.example.org',
      cookieSecure: true,
      idleTimeoutMs: 30 * 60_000,
    });
    expect(() => loadWebConfig(base, { WEB_ENABLED: 'true' })).toThrow(/GATEWAY_WEB_CLIENT_SECRET/);
    expect(loadWebConfig(base, { WEB_ENABLED: 'false', GATEWAY_WEB_CLIENT_SECRET: secret }).enabled).toBe(false);
  });

  it('takes Secure cookies from the URL unless told, and validates every variable', () => {
    const http = { ...base, GATEWAY_URL: 'http://127.0.0.1:8700' };
    expect(loadWebConfig(http, { GATEWAY_WEB_CLIENT_SECRET: secret }).cookieSecure).toBe(false);
    expect(loadWebConfig(http, { GATEWAY_WEB_CLIENT_SECRET: secret, WEB_COOKIE_SECURE: 'true' }).cookieSecure).toBe(
      true,
    );
    expect(() => loadWebConfig(base, { GATEWAY_WEB_CLIENT_SECRET: secret, WEB_IDLE_TIMEOUT: '9h' })).toThrow(
      /WEB_IDLE_TIMEOUT/,
    );
    expect(() => loadWebConfig(base, { GATEWAY_WEB_CLIENT_SECRET: secret, WEB_DEFAULT_LANGUAGE: 'fr' })).toThrow(
      /WEB_DEFAULT_LANGUAGE/,
    );
    expect(() =>
      loadWebConfig(base, { GATEWAY_WEB_CLIENT_SECRET: secret, WEB_DEFAULT_TIME_ZONE: 'Mars/Base' }),
    ).toThrow(/WEB_DEFAULT_TIME_ZONE/);
  });
});
