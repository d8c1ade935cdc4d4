/**
 * Driving the staff web app in Chromium: signing in through the identity provider's own sign-in page, checking a
 * page with axe-core, screenshots as test artifacts, and keyboard-only moves. The app's CSP allows no injected
 * script, so axe is evaluated through the DevTools protocol (page.evaluate), which a CSP does not govern; the
 * page's own policy stays as strict as in production.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where screenshots go: $CASE_WEB_SCREENSHOTS, else a fresh directory under the OS temp dir (printed once). */
let shotsDir: string | undefined;
export function screenshotsDir(): string {
  if (!shotsDir) {
    shotsDir =
      process.env.CASE_WEB_SCREENSHOTS ??
      join(tmpdir(), `case-web-screenshots-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(shotsDir, { recursive: true });
    process.stdout.write(`web screenshots: ${shotsDir}\n`);
  }
  return shotsDir;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotsDir(), `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** On the provider's sign-in page: pick the dev account, type the password, submit. */
export async function signInAtProvider(page: Page, issuer: string, account: string, password: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`), { timeout: 30_000 });
  await page.check(`#account-${account}`);
  await page.fill('#password', password);
  await page.click('#signin');
}

/** Opens `path` of the app, signs in as `account` when asked, and waits to be back on `path`. */
export async function signIn(
  page: Page,
  base: string,
  issuer: string,
  account: string,
  password: string,
  path = '/inbox',
): Promise<void> {
  await page.goto(`${base}${path}`);
  if (page.url().startsWith(issuer)) await signInAtProvider(page, issuer, account, password);
  await page.waitForURL((u) => u.href.startsWith(`${base}${path.split('?')[0]}`), { timeout: 30_000 });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's WCAG 2.1 A/AA rules on the page; the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`,
  )) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Presses Tab until the focused element matches `predicate` (an expression over `el`); fails after `max` presses. */
export async function tabTo(page: Page, predicate: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(
      `(() => { const el = document.activeElement; return Boolean(el && (${predicate})); })()`,
    );
    if (hit) return;
  }
  throw new Error(`keyboard: nothing matching ${predicate} within ${max} Tab presses on ${page.url()}`);
}

export const visibleText = (page: Page): Promise<string> => page.evaluate('document.body.innerText') as Promise<string>;
