/**
 * Decoding in the Temporal Web UI, in a real (headless) browser. The UI cannot send a token of its own, so the
 * admin signs in to the codec server through the identity provider (the real development provider, its own
 * sign-in page; session cookie: HttpOnly, SameSite=Strict) and tells the UI, in its Codec Server settings, to
 * include cross-origin credentials. Set-up as in the dev stack: a Temporal dev server with its UI and
 * `--ui-codec-endpoint`, the identity provider, our codec server, our worker, a case whose input holds personal data.
 *
 * Asserts: without a session the UI shows no plaintext and the codec server refuses it (401); a court clerk who
 * signs in is refused (403); after an admin signs in, the case found by `CaseId="..."` shows its decoded input and a
 * victim's name, and each decode is logged with the admin's staff id; after sign-out it cannot decode again.
 * Screenshots go to $CASE_UI_SCREENSHOTS (default /tmp/ui-codec-*.png).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCodecServer } from '../../src/codec-server/server';
import { SignInFlow } from '../../src/codec-server/sign-in';
import { PERSONAL_NAMES } from '../../src/demo/reference-case';
import { createTokenVerifier } from '../../src/identity/verify';
import { EncryptionCodec, INSPECTOR_POLICY } from '../../src/temporal/codec';
import { parseKeyList } from '../../src/temporal/keyring';
import { launchChromium } from '../support/browser';
import { POLICE, PROSECUTION, smallCase } from '../support/case-steps';
import {
  startOrchestrator,
  testConfig,
  TEST_CODEC_KEYS,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';
import { freePort } from '../support/proc';
import { startIdentityProvider, type IdentityProviderHandle } from '../support/identity';
import { startTemporalDevServer, type TemporalServerHandle } from '../support/servers';

jest.setTimeout(600_000);

const SHOTS = process.env.CASE_UI_SCREENSHOTS ?? '/tmp/ui-codec';
const UI_TIMEOUT_MS = 90_000;

interface LogLine {
  msg: string;
  status?: number;
  auth?: string;
  operation?: string;
  session?: string;
  staffId?: string;
}

describe('decoding in the Temporal Web UI', () => {
  let dev: TemporalServerHandle;
  let idp: IdentityProviderHandle;
  let codecServer: Server;
  let endpoint: string;
  let uiBase: string;
  let o: TestOrchestrator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const caseId = uniqueCaseId('UI');
  const marker = `summary-${randomBytes(6).toString('hex')}`;
  const codecLog: LogLine[] = [];

  beforeAll(async () => {
    // Fail first, and loudly, if there is no browser: everything else is wasted without one.
    browser = await launchChromium();

    const uiPort = await freePort();
    uiBase = `http://127.0.0.1:${uiPort}`;
    // The codec server's address is registered with the identity provider (its sign-in callback), so it comes first.
    const codecPort = await freePort();
    endpoint = `http://127.0.0.1:${codecPort}`;
    idp = await startIdentityProvider({ env: { CODEC_SERVER_URL: endpoint } });
    codecServer = createCodecServer({
      codec: new EncryptionCodec(parseKeyList(TEST_CODEC_KEYS), INSPECTOR_POLICY),
      verifier: createTokenVerifier(idp.verifierOptions()),
      signIn: new SignInFlow({
        issuer: idp.issuer,
        clientId: 'codec-server',
        clientSecret: idp.secrets.clients['codec-server']!,
        redirectUri: `${endpoint}/session/callback`,
      }),
      allowedOrigin: uiBase,
      logger: pino({ level: 'info' }, { write: (line: string) => codecLog.push(JSON.parse(line) as LogLine) }),
    });
    await new Promise<void>((resolve) => codecServer.listen(codecPort, '127.0.0.1', resolve));

    dev = await startTemporalDevServer({ ui: true, uiPort, extraArgs: ['--ui-codec-endpoint', endpoint] });
    expect(dev.uiPort).toBe(uiPort);
    o = await startOrchestrator({ config: testConfig({ TEMPORAL_ADDRESS: dev.address }) });
    await o.cases.open(PROSECUTION, { ...smallCase(caseId), summary: `UI decoding check ${marker}` });
    await o.cases.command(caseId, 'startInvestigation', PROSECUTION);
    await o.cases.command(caseId, 'addVictim', POLICE, {
      name: PERSONAL_NAMES.babyGirl,
      minor: true,
      ageMonths: 5,
      sex: 'female',
    });

    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await o?.stop();
    await dev?.stop({ removeData: true });
    await new Promise<void>((resolve) => (codecServer ? codecServer.close(() => resolve()) : resolve()));
    await idp?.stop({ removeData: true });
  });

  const bodyText = () => page.evaluate('document.body.innerText') as Promise<string>;
  /** Until the visible text of the page contains `text` (tooltips and other hidden copies do not count). */
  async function waitForText(text: string): Promise<void> {
    const until = Date.now() + UI_TIMEOUT_MS;
    // Polled from here: the UI's CSP forbids the eval that page.waitForFunction would need.
    while (!(await bodyText()).includes(text)) {
      if (Date.now() > until) {
        await page.screenshot({ path: `${SHOTS}-timeout.png` });
        throw new Error(`"${text}" did not appear on ${page.url()} within ${UI_TIMEOUT_MS} ms (${SHOTS}-timeout.png)`);
      }
      await page.waitForTimeout(250);
    }
  }
  /** Our session cookie. (The UI server sets its own `_csrf` cookie on the same host: cookies ignore ports.) */
  const sessionCookies = async () => (await context.cookies(endpoint)).filter((c) => c.name === 'codec_session');

  async function openCaseInUi(): Promise<void> {
    const query = encodeURIComponent(`CaseId="${caseId}"`);
    await page.goto(`${uiBase}/namespaces/default/workflows?query=${query}`, { timeout: UI_TIMEOUT_MS });
    const link = page.getByRole('link', { name: `case-${caseId}` }).first();
    await link.waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: `${SHOTS}-list.png` });
    await link.click();
    await page.waitForURL(/\/workflows\/case-/, { timeout: UI_TIMEOUT_MS });
  }

  /**
   * The admin's one-time step in the UI: Codec Server settings (the icon in the top bar) -> "Use my browser setting
   * and ignore Cluster-level setting", the endpoint, "Include cross-origin credentials", Apply. The override is
   * needed because with a cluster-level endpoint (--ui-codec-endpoint) the UI takes the credentials flag from the
   * cluster too, and the dev server has no flag to set it. The UI keeps these in localStorage.
   */
  async function configureCodecInUi(): Promise<void> {
    await page.locator('[data-testid^="data-encoder-status"]').first().click();
    await page.getByTestId('override-accordion').click();
    await page.getByText('Use my browser setting and ignore', { exact: false }).click();
    await page.getByPlaceholder('Paste your endpoint here').fill(endpoint);
    // The UI's sticky top bar covers the lower part of this panel; the keyboard reaches the controls regardless.
    await page.locator('#pass-access-credentials').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('confirm-data-encoder-button').focus();
    await page.keyboard.press('Enter');
  }

  const decodes = (auth: string, status: number) =>
    codecLog.filter((l) => l.operation === 'decode' && l.status === status && (l.auth ?? 'none') === auth).length;

  it('without a session: the UI shows ciphertext and the codec server refuses it (401)', async () => {
    await openCaseInUi();
    await configureCodecInUi();
    const stored = JSON.parse(
      (await page.evaluate('JSON.stringify(Object.assign({}, localStorage))')) as string,
    ) as Record<string, string>;
    expect(stored).toMatchObject({
      overrideRemoteCodecConfiguration: 'true',
      endpoint: JSON.stringify(endpoint),
      includeCredentials: 'true',
      passAccessToken: 'false',
    });
    await page.reload();
    await waitForText('Codec Server could not connect');
    await waitForText('encryption-key-id');
    await page.screenshot({ path: `${SHOTS}-no-session.png` });
    const text = await bodyText();
    expect(text).not.toContain(marker);
    expect(text).not.toContain(PERSONAL_NAMES.babyGirl);
    expect(decodes('none', 401)).toBeGreaterThan(0);
    expect(decodes('session', 200)).toBe(0);
  });

  /** On the provider's own sign-in page: pick a dev account, type the dev password, submit. */
  async function signInAtProvider(account: string, password: string): Promise<void> {
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`), { timeout: UI_TIMEOUT_MS });
    await page.check(`#account-${account}`);
    await page.fill('#password', password);
    await page.click('#signin');
  }

  it('signs in through the identity provider: a clerk is refused (403), an admin gets an HttpOnly SameSite=Strict session', async () => {
    // /session sends the browser to the provider's sign-in page (authorization code + PKCE).
    await page.goto(`${endpoint}/session`);
    await signInAtProvider('admin-1', 'not-the-dev-password');
    await expect(page.locator('#error').textContent()).resolves.toContain('Unknown account or wrong password');
    expect(page.url().startsWith(idp.issuer)).toBe(true);

    await signInAtProvider('clerk-4', idp.secrets.devPassword);
    await page.waitForURL((url) => url.href.startsWith(`${endpoint}/session/callback`), { timeout: UI_TIMEOUT_MS });
    await expect(page.locator('#status').textContent()).resolves.toContain('needs the admin role');
    expect(await sessionCookies()).toEqual([]);
    await page.screenshot({ path: `${SHOTS}-refused.png` });

    // "Sign in as someone else": the provider asks again (prompt=login), whoever was signed in there before.
    await page.click('#again');
    await signInAtProvider('admin-1', idp.secrets.devPassword);
    await page.waitForURL((url) => url.href.startsWith(`${endpoint}/session/callback`), { timeout: UI_TIMEOUT_MS });
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Signed in as admin-1 until/);
    const cookies = await sessionCookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'codec_session', httpOnly: true, sameSite: 'Strict', path: '/' }),
    ]);
    expect(cookies[0]!.expires * 1000).toBeLessThanOrEqual(Date.now() + 8 * 3600_000 + 60_000);
    // No page script, the UI's included, can read it.
    await page.goto(uiBase);
    expect(await page.evaluate('document.cookie')).not.toContain('codec_session');
    expect(codecLog).toContainEqual(expect.objectContaining({ session: 'signed-in', staffId: 'admin-1' }));
    expect(codecLog).toContainEqual(expect.objectContaining({ session: 'refused', staffId: 'clerk-4', status: 403 }));
  });

  it('decodes the case found by CaseId in the UI: its input, and a victim name in the event history', async () => {
    await openCaseInUi();
    await waitForText(marker);
    await page.screenshot({ path: `${SHOTS}-decoded.png` });
    expect(await bodyText()).not.toContain('Codec Server could not connect');
    await page.getByText('Workflow Execution Update Accepted').first().click();
    await waitForText(PERSONAL_NAMES.babyGirl);
    await page.screenshot({ path: `${SHOTS}-decoded-event.png`, fullPage: true });
    expect(decodes('session', 200)).toBeGreaterThan(0);
    // Every decode is attributable: each one the UI made is logged with the admin who signed in.
    const sessionDecodes = codecLog.filter((l) => l.operation === 'decode' && l.auth === 'session');
    expect(sessionDecodes.every((l) => l.staffId === 'admin-1')).toBe(true);
  });

  it('takes the cookie only from the UI origin, and not after sign-out', async () => {
    const [cookie] = await sessionCookies();
    const decode = (headers: Record<string, string>) =>
      fetch(`${endpoint}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: `codec_session=${cookie!.value}`, ...headers },
        body: '{"payloads":[]}',
      });
    const fromUi = await decode({ Origin: uiBase });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiBase);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await decode({ Origin: 'http://127.0.0.1:1' })).status).toBe(401);
    expect((await decode({})).status).toBe(401);

    await page.goto(`${endpoint}/session`);
    await page.click('#signout');
    await expect(page.locator('#status').textContent()).resolves.toContain('Signed out');
    expect(await sessionCookies()).toEqual([]);
    expect((await decode({ Origin: uiBase })).status).toBe(401);

    const decodedBefore = decodes('session', 200);
    await openCaseInUi();
    await waitForText('Codec Server could not connect');
    await waitForText('encryption-key-id');
    expect(await bodyText()).not.toContain(marker);
    expect(decodes('session', 200)).toBe(decodedBefore);
  });
});
