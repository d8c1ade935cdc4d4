/**
 * The web app's safety, against the real stack in Chromium: what the session cookie holds and how it is set, the
 * Content-Security-Policy and other headers, CSRF and origin checks on every form, token renewal, the idle timeout
 * (the live feed ends with the session), sign-out here and at the provider, a sign-in finished in another browser,
 * a person of no agency, and inputs that are refused without being echoed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CasesClient } from '../../src/client/cases-client';
import { launchChromium } from '../support/browser';
import { startWebStack, type WebStack } from '../support/browser-stack';
import { screenshot, signIn, signInAtProvider } from '../support/browser-web';
import { eventually, uniqueCaseId } from '../support/orchestrator';

jest.setTimeout(300_000);

const MIN = 60_000;

describe('web sessions and the safety of every page', () => {
  let s: WebStack;
  let browser: Browser;
  let skew = 0;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    s = await startWebStack({ web: { idleTimeoutMs: 20 * MIN }, webNow: () => Date.now() + skew });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await s?.stop();
  });

  async function signedIn(account: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, s.url, s.idp.issuer, account, s.idp.secrets.devPassword);
    return { page, context };
  }

  const sessionCookie = async (context: BrowserContext) =>
    (await context.cookies(s.url)).find((c) => c.name === 'cases_web');

  it('keeps only an opaque id in an HttpOnly, SameSite=Lax cookie, and sends strict headers on every page', async () => {
    const { page, context } = await signedIn('judge-9');
    const cookie = await sessionCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await page.evaluate('document.cookie')).not.toContain('cases_web');
    const html = await page.content();
    expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no token on the page
    const res = await page.request.get(`${s.url}/inbox`);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers()).toMatchObject({
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
    // The script and stylesheet come from our origin, cacheable by their content hash.
    const script = await page.getAttribute('script[src]', 'src');
    expect(script).toMatch(/^\/static\/app\.[0-9a-f]{16}\.js$/);
    const asset = await page.request.get(`${s.url}${script}`);
    expect(asset.headers()['cache-control']).toContain('immutable');
  });

  it('refuses a form without its CSRF token, with another purpose’s token, or from another origin', async () => {
    const { page } = await signedIn('judge-9');
    const token = async (form: string) => (await page.getAttribute(`${form} input[name="_csrf"]`, 'value')) ?? '';
    const signOutToken = await token('form[action="/auth/sign-out"]');
    const languageToken = await token('form[action="/prefs/language"]');
    const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      page.request.post(`${s.url}${path}`, { form, headers: { Origin: s.url, ...headers }, maxRedirects: 0 });
    expect((await post('/auth/sign-out', {})).status()).toBe(403);
    expect((await post('/auth/sign-out', { _csrf: languageToken })).status()).toBe(403);
    expect((await post('/auth/sign-out', { _csrf: signOutToken }, { Origin: 'https://evil.example' })).status()).toBe(
      403,
    );
    expect((await post('/prefs/language', { _csrf: signOutToken, language: 'es' })).status()).toBe(403);
    expect((await post('/tasks/case-X-1~T1/claim', { _csrf: 'x'.repeat(43) })).status()).toBe(403);
    // Still signed in: none of that did anything.
    const inbox = await page.request.get(`${s.url}/inbox`, { maxRedirects: 0 });
    expect(inbox.status()).toBe(200);
    // And the right token from our own origin works.
    expect((await post('/prefs/language', { _csrf: languageToken, language: 'es', return: '/inbox' })).status()).toBe(
      303,
    );
  });

  it('refuses bad input without echoing it', async () => {
    const { page } = await signedIn('fiscal-017');
    const probe = '<script>alert(1)</script>';
    const badFilter = await page.request.get(`${s.url}/inbox?overdue=${encodeURIComponent(probe)}`);
    expect(badFilter.status()).toBe(400);
    expect(await badFilter.text()).not.toContain('alert(1)');
    const caseProbe = await page.request.get(`${s.url}/cases/${encodeURIComponent(probe)}`);
    expect(caseProbe.status()).toBe(404);
    expect(await caseProbe.text()).not.toContain('alert(1)');
    const taskProbe = await page.request.get(`${s.url}/tasks/${encodeURIComponent(probe)}`);
    expect(taskProbe.status()).toBe(404);
    expect(await taskProbe.text()).not.toContain('alert(1)');
    const feed = await page.request.get(`${s.url}/inbox/events?kind=${encodeURIComponent('x'.repeat(500))}`);
    expect(feed.status()).toBe(400);
    const unknown = await page.request.get(`${s.url}/inbox/events?actor=JUDICIARY`);
    expect(unknown.status()).toBe(400);
    const big = await page.request.post(`${s.url}/prefs/language`, {
      headers: { Origin: s.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      data: `language=${'x'.repeat(100_000)}`,
    });
    expect(big.status()).toBe(413);
    expect(await big.text()).not.toContain('xxxxxxxx');
  });

  it('refuses a sign-in finished in another browser, and a person of no agency', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const forged = await page.goto(`${s.url}/auth/callback?code=abc&state=not-started-here`);
    expect(forged?.status()).toBe(400);
    expect(await context.cookies(s.url)).toEqual([]);
    await page.goto(`${s.url}/inbox`);
    await signInAtProvider(page, s.idp.issuer, 'admin-1', s.idp.secrets.devPassword);
    await page.waitForURL((u) => u.href.startsWith(`${s.url}/auth/callback`));
    expect(await page.textContent('#error')).toContain('agency staff');
    expect(await sessionCookie(context)).toBeUndefined();
  });

  it('renews the access token before it expires, then ends an idle session and its live feed', async () => {
    const caseId = uniqueCaseId('IDLE').toUpperCase();
    const { page, context } = await signedIn('judge-9');
    const refreshes = () => (s.idp.log().match(/"client":"gateway-web","grant":"refresh_token"/g) ?? []).length;
    const before = refreshes();
    // 14.5 minutes on: the 15-minute access token is about to expire; the next page renews it.
    skew = 14.5 * MIN;
    await page.goto(`${s.url}/inbox`);
    expect(page.url()).toBe(`${s.url}/inbox`);
    await eventually(async () => (refreshes() > before ? true : undefined), 10_000, 'a refresh grant');
    // The renewed token works for the API behind the page: a task created now shows up live.
    const prosecutor = new CasesClient({
      gatewayUrl: s.url,
      tokens: { token: () => s.idp.personToken('fiscal-017') },
      attempts: 1,
    });
    await prosecutor.open({
      caseId,
      codename: 'IDLE',
      jurisdiction: 'PE-LIM',
      crimeTypes: ['human-trafficking'],
      leadProsecutor: { staffId: 'fiscal-017' },
    });
    await prosecutor.command(caseId, 'startInvestigation');
    const { result } = await prosecutor.command(caseId, 'addLocation', { kind: 'home', district: 'Cercado' });
    await prosecutor.command(caseId, 'requestWarrant', { kind: 'search', locationRefs: [result.locationRef] });
    await page.locator(`#inbox tbody tr[data-task^="case-${caseId}~"]`).waitFor({ timeout: 20_000 });
    // Then 21 idle minutes: the feed says the session ended, and the next page asks to sign in again.
    skew += 21 * MIN;
    const ended = /session has ended|sesión terminó/;
    await eventually(
      async () => (ended.test((await page.textContent('#live-status')) ?? '') ? true : undefined),
      15_000,
      'the feed to end',
    );
    await screenshot(page, 'session-ended-en');
    const res = await page.request.get(`${s.url}/inbox`, { maxRedirects: 0 });
    expect(res.status()).toBe(303);
    expect(res.headers().location).toBe('/auth/sign-in?return=%2Finbox');
    expect(await sessionCookie(context)).toBeUndefined();
    skew = 0;
  });

  it('signs out here and at the provider: the old cookie is worthless and the provider asks again', async () => {
    const { page, context } = await signedIn('clerk-4');
    const old = (await sessionCookie(context))!.value;
    await page.click('#sign-out');
    // The provider's own sign-out page (RP-initiated logout), then back to our landing page.
    await page.waitForURL((u) => u.href.startsWith(s.idp.issuer));
    await page.click('#logout');
    await page.waitForURL(`${s.url}/`);
    expect(await page.textContent('h1')).toBe('Sign in');
    expect(await sessionCookie(context)).toBeUndefined();
    const replay = await fetch(`${s.url}/inbox`, { headers: { Cookie: `cases_web=${old}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/auth\/sign-in/);
    await page.goto(`${s.url}/inbox`);
    await page.waitForURL((u) => u.href.startsWith(`${s.idp.issuer}/interaction/`));
    expect(await page.isVisible('#password')).toBe(true);
  });
});
