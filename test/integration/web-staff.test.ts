/**
 * Staff at work in a real browser (Debian's Chromium through playwright-core) against the real stack: the identity
 * provider's own sign-in page, the gateway with the web app, Temporal, NATS, the notifier with the e-mail channel
 * and a real SMTP sink. Each person is a browser context of their own. Screenshots of every page, in Spanish and in
 * English, go to the directory printed at the start (CASE_WEB_SCREENSHOTS to choose it).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CasesClient } from '../../src/client/cases-client';
import { caseWorkflowId } from '../../src/domain/case-state';
import { resolvePolicy } from '../../src/domain/policy';
import { compactDuration } from '../../src/web/time';
import { launchChromium } from '../support/browser';
import { startWebStack, type WebStack } from '../support/browser-stack';
import { screenshot, seriousViolations, signIn, tabTo, visibleText } from '../support/browser-web';
import { eventually, uniqueCaseId } from '../support/orchestrator';

jest.setTimeout(600_000);

/** Invented names, entered as case data; none may reach a page, a URL or a mail. */
const NAMES = {
  leader: 'Rodrigo Villanueva Paucar',
  official: 'Comandante Benigno Torres Llosa',
  minor: 'Milagros Huamani Ccori',
  minor2: 'Yesenia Apaza Mamani',
  minor3: 'Sofia Condori Quispe',
  witness: 'Hermelinda Soto Cahuana',
};

/**
 * Deadlines short enough to watch: a detention for trafficking lapses after 45 s (others keep the defaults), and a
 * protection referral left alone is reminded after 20 s and escalated after 75 s.
 */
const POLICY = resolvePolicy({
  detention: {
    limit: {
      trafficking: '45s',
      'organized-crime': '15d',
      'child-sale': '48h',
      'illegal-abortion': '48h',
      other: '48h',
    },
    warnBefore: '6h',
    extension: '7d',
  },
  childProtection: { referralAcceptance: '75s', medicalExam: '24h', placement: '72h', carePlan: '30d' },
  task: { defaultDue: '3d', remindBefore: '55s' },
});

const H = 3_600_000;

describe('staff work in the browser', () => {
  let s: WebStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const api = (account: string) =>
    new CasesClient({
      gatewayUrl: s.url,
      tokens: { token: () => s.idp.personToken(account) },
      attempts: 1,
    });

  beforeAll(async () => {
    browser = await launchChromium();
    s = await startWebStack({ policy: POLICY });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await s?.stop();
  });

  async function person(account: string, locale = 'es-PE'): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, s.url, s.idp.issuer, account, s.idp.secrets.devPassword);
    return page;
  }

  async function setLanguage(page: Page, lang: 'es' | 'en'): Promise<void> {
    await page.selectOption('#language', lang);
    await Promise.all([page.waitForNavigation(), page.click('#language-apply')]);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    const violations = await seriousViolations(page);
    expect({ what, violations }).toEqual({ what, violations: [] });
  }

  /** A case in investigation with a suspect and two locations, opened by the lead prosecutor through the API. */
  async function investigation(prefix: string) {
    const caseId = uniqueCaseId(prefix).toUpperCase();
    const prosecutor = api('fiscal-017');
    await prosecutor.open({
      caseId,
      codename: 'ALBA',
      jurisdiction: 'PE-LIM',
      crimeTypes: ['human-trafficking'],
      leadProsecutor: { staffId: 'fiscal-017' },
    });
    await prosecutor.command(caseId, 'startInvestigation');
    const police = api('pol-204');
    const suspect = String(
      (await police.command(caseId, 'addSuspect', { name: NAMES.leader, roles: ['leader'] })).result.suspectRef,
    );
    const l1 = String(
      (await police.command(caseId, 'addLocation', { kind: 'home', district: 'Cercado' })).result.locationRef,
    );
    const l2 = String(
      (await police.command(caseId, 'addLocation', { kind: 'business', district: 'Comas' })).result.locationRef,
    );
    return { caseId, suspect, locations: [l1, l2] };
  }

  /**
   * A search warrant over the locations and an arrest warrant for the suspect, approved, a raid, and the suspect
   * arrested under the warrant: the detention clock runs.
   */
  async function arrested(caseId: string, suspect: string, locations: string[], offenceClass: string) {
    const prosecutor = api('fiscal-017');
    const { result: w } = await prosecutor.command(caseId, 'requestWarrant', {
      kind: 'search',
      locationRefs: locations,
    });
    const { result: a } = await prosecutor.command(caseId, 'requestWarrant', {
      kind: 'arrest',
      suspectRefs: [suspect],
    });
    await api('judge-9').command(caseId, 'approveWarrant', { warrantRef: w.warrantRef });
    await api('judge-9').command(caseId, 'approveWarrant', { warrantRef: a.warrantRef });
    const { result: raid } = await prosecutor.command(caseId, 'planRaid', { locationRefs: locations });
    const { result } = await api('pol-204').command(caseId, 'recordArrest', {
      suspectRef: suspect,
      offenceClass,
      warrantRef: a.warrantRef,
      raidRef: raid.raidRef,
    });
    return result;
  }

  const historyLength = async (caseId: string) =>
    (await s.o.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength;

  it('shows the sign-in page accessibly, in the provider and in the app', async () => {
    const context = await browser.newContext({ locale: 'es-PE' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${s.url}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await screenshot(page, 'landing-es');
    await expectAccessible(page, 'landing (es)');
    await page.click('#language-en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await screenshot(page, 'landing-en');
    await page.click('#sign-in');
    await page.waitForURL((u) => u.href.startsWith(`${s.idp.issuer}/interaction/`));
    await screenshot(page, 'provider-sign-in');
    await expectAccessible(page, 'provider sign-in');
  });

  it('brings a warrant request to the judge live; the judge approves it for 7 days; the prosecutor sees it approved', async () => {
    const { caseId, locations } = await investigation('WARRANT');
    const judge = await person('judge-9');
    const prosecutor = await person('fiscal-017');
    // The judge works in Spanish (the staff directory says so); the inbox is open and is not reloaded below.
    expect(await judge.getAttribute('html', 'lang')).toBe('es');
    await judge.evaluate('window.__notReloaded = true');
    const before = (await judge.locator('#inbox tbody tr').count()) as number;

    // The prosecutor asks for a search warrant from the case page, in the browser.
    await prosecutor.goto(`${s.url}/cases/${caseId}`);
    await screenshot(prosecutor, 'case-prosecutor-es');
    await prosecutor.check('#action0 input[value="search"]');
    for (const l of locations) await prosecutor.check(`#action0 input[value="${l}"]`);
    await prosecutor.click('#action0-submit');
    await prosecutor.waitForURL(`${s.url}/cases/${caseId}`);
    const flash = await prosecutor.textContent('#flash');
    const warrantRef = /W-\d+/.exec(flash ?? '')?.[0];
    expect(warrantRef).toBeDefined();

    // It appears in the judge's open inbox, without a reload, with the count in the title.
    const ofCase = `#inbox tbody tr[data-task^="case-${caseId}~"]`;
    const row = judge.locator(ofCase, { hasText: `${warrantRef}` });
    await row.waitFor({ timeout: 20_000 });
    expect(await judge.evaluate('window.__notReloaded')).toBe(true);
    expect(await row.textContent()).toContain(`Decidir la orden de allanamiento ${warrantRef}`);
    expect(await judge.title()).toMatch(new RegExp(`^\\(${before + 1}\\) Bandeja`));
    await screenshot(judge, 'inbox-live-es');
    await expectAccessible(judge, 'inbox (es)');
    await setLanguage(judge, 'en');
    const rowEn = judge.locator(ofCase, { hasText: `${warrantRef}` });
    expect(await rowEn.textContent()).toContain(`Decide search warrant ${warrantRef}`);
    expect(await judge.title()).toMatch(/^\(\d+\) Inbox · Cases$/);
    await screenshot(judge, 'inbox-en');

    // The judge opens it and approves it for 7 days.
    await rowEn.locator('a', { hasText: `Decide search warrant ${warrantRef}` }).click();
    await judge.waitForURL(/\/tasks\//);
    expect(judge.url()).not.toMatch(/%20|Rodrigo|Villanueva/);
    await screenshot(judge, 'task-form-en');
    await expectAccessible(judge, 'task form (en)');
    await setLanguage(judge, 'es');
    await screenshot(judge, 'task-form-es');
    await setLanguage(judge, 'en');
    // Claimed, then given back: the task page offers whichever the judge may do.
    const taskPage = judge.url();
    await judge.click('#claim');
    await judge.waitForURL(taskPage);
    expect(await judge.textContent('#flash')).toContain('You claimed');
    expect(await judge.locator('#claim').count()).toBe(0);
    await judge.click('#unclaim');
    await judge.waitForURL(taskPage);
    expect(await judge.textContent('#flash')).toContain('You gave back');
    expect(await judge.locator('#claim').count()).toBe(1);
    await judge.fill('#cmd0-validFor-amount', '7');
    await judge.selectOption('#cmd0-validFor-unit', 'd');
    await judge.click('#cmd0-submit');
    await judge.waitForURL(`${s.url}/inbox`);
    expect(await judge.textContent('#flash')).toContain(`Decide search warrant ${warrantRef}`);
    expect(await judge.locator(ofCase, { hasText: `${warrantRef}` }).count()).toBe(0);

    // The prosecutor's case page shows it approved, valid for 7 days from now.
    await prosecutor.goto(`${s.url}/cases/${caseId}`);
    const warrant = prosecutor.locator(`#warrant-${warrantRef}`);
    expect(await warrant.getAttribute('data-status')).toBe('approved');
    expect(await warrant.textContent()).toContain('aprobada');
    const validUntil = Date.parse((await prosecutor.getAttribute(`#validity-${warrantRef}`, 'data-deadline')) ?? '');
    expect(Math.abs(validUntil - (Date.now() + 7 * 24 * H))).toBeLessThan(2 * 60_000);
    await screenshot(prosecutor, 'case-approved-es');
    await expectAccessible(prosecutor, 'case page (es)');
    await setLanguage(prosecutor, 'en');
    await screenshot(prosecutor, 'case-approved-en');
    expect(await visibleText(prosecutor)).not.toContain(NAMES.leader);
  });

  it('shows a court clerk the warrant task, and the form says why a clerk cannot approve it', async () => {
    const { caseId, locations } = await investigation('CLERK');
    const { result } = await api('fiscal-017').command(caseId, 'requestWarrant', {
      kind: 'arrest',
      locationRefs: locations,
    });
    const warrantRef = String(result.warrantRef);
    const clerk = await person('clerk-4');
    const row = clerk.locator(`#inbox tbody tr[data-task^="case-${caseId}~"]`, { hasText: warrantRef });
    await row.waitFor({ timeout: 20_000 });
    await row.locator('a').first().click();
    await clerk.waitForURL(/\/tasks\//);
    expect(await clerk.textContent('#cmd0-refusal')).toContain('Solo un juez puede aprobar una orden.');
    expect(await clerk.textContent('#cmd1-refusal')).toContain('Solo un juez puede denegar una orden.');
    expect(await clerk.locator('#cmd0-submit').count()).toBe(0);
    await screenshot(clerk, 'task-clerk-es');
    await expectAccessible(clerk, 'task form, clerk (es)');
    await setLanguage(clerk, 'en');
    expect(await clerk.textContent('#cmd0-refusal')).toContain('Only a judge can approve a warrant.');
    await screenshot(clerk, 'task-clerk-en');

    // Forcing the form anyway: the API refuses it, the page says why in the same words, history is unchanged.
    const before = await historyLength(caseId);
    await clerk.evaluate(
      `(() => { const f = document.getElementById('cmd0-form'); f.querySelectorAll('[disabled]').forEach(e => e.disabled = false); f.submit(); })()`,
    );
    await clerk.waitForLoadState('load');
    expect(await clerk.textContent('#cmd0-refusal')).toContain('Only a judge can approve a warrant.');
    expect(await historyLength(caseId)).toBe(before);
  });

  it('lets a keyboard alone sign in, find a task and decide it', async () => {
    const { caseId, locations } = await investigation('KEYS');
    const { result } = await api('fiscal-017').command(caseId, 'requestWarrant', {
      kind: 'search',
      locationRefs: locations,
    });
    const warrantRef = String(result.warrantRef);
    const context = await browser.newContext({ locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${s.url}/inbox`);
    await page.waitForURL((u) => u.href.startsWith(`${s.idp.issuer}/interaction/`));
    // The provider's page: the account radios, the password, Enter.
    await tabTo(page, `el.id === 'account-fiscal-017'`);
    for (let i = 0; i < 12; i++) {
      if (await page.evaluate(`document.activeElement.id === 'account-judge-9'`)) break;
      await page.keyboard.press('ArrowDown');
    }
    expect(await page.evaluate('document.activeElement.id')).toBe('account-judge-9');
    await tabTo(page, `el.id === 'password'`);
    await page.keyboard.type(s.idp.secrets.devPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${s.url}/inbox`);
    // The app: the task's link, its form, a choice and the button, by keyboard only.
    await tabTo(
      page,
      `el.tagName === 'A' && el.textContent.includes('${warrantRef}') && el.closest('tr').dataset.task.startsWith('case-${caseId}~')`,
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\//);
    await tabTo(page, `el.name === 'f.reason'`);
    await page.keyboard.press('Space');
    await tabTo(page, `el.id === 'cmd1-submit'`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${s.url}/inbox`);
    const view = await api('fiscal-017').status(caseId);
    expect(view.warrants?.find((w) => w.ref === warrantRef)?.status).toBe('denied');
  });

  it('keeps a restricted agency out: a police officer who is not cleared sees neither the case nor its tasks', async () => {
    const { caseId, locations } = await investigation('RESTRICT');
    const prosecutor = api('fiscal-017');
    const uncleared = await person('pol-204');
    await uncleared.evaluate('window.__notReloaded = true');
    await prosecutor.command(caseId, 'addSuspect', {
      name: NAMES.official,
      roles: ['facilitator'],
      official: { institution: 'police', current: true, rank: 'commander' },
    });
    await prosecutor.command(caseId, 'clearStaff', { agency: 'POLICE', staffId: 'pol-311' });
    const { result: w } = await prosecutor.command(caseId, 'requestWarrant', {
      kind: 'search',
      locationRefs: locations,
    });
    await api('judge-9').command(caseId, 'approveWarrant', { warrantRef: w.warrantRef });
    const { result: raid } = await prosecutor.command(caseId, 'planRaid', { locationRefs: locations });
    const cleared = await person('pol-311');
    // The cleared officer has the raid's report task; the other officer's open inbox never shows it.
    const task = await eventually(async () =>
      (await api('pol-311').inbox({ caseId })).find((t) => t.kind === 'report-raid-locations'),
    );
    await cleared.locator(`#inbox tbody tr[data-task="${task.id}"]`).waitFor({ timeout: 20_000 });
    expect(raid.raidRef).toBeDefined();
    await uncleared.waitForTimeout(2_000);
    expect(await uncleared.evaluate('window.__notReloaded')).toBe(true);
    expect(await uncleared.locator(`#inbox tbody tr[data-task="${task.id}"]`).count()).toBe(0);
    expect(await uncleared.content()).not.toContain(caseId);
    await uncleared.reload();
    expect(await uncleared.content()).not.toContain(caseId);

    // Mail follows the clearance: the cleared officer is told of the task, the other officer hears nothing of the case.
    await eventually(
      async () =>
        s.mails().some((m) => m.envelopeTo.includes('pol-311@example.org') && m.subject.includes(caseId))
          ? true
          : undefined,
      20_000,
      "the cleared officer's mail",
    );
    expect(s.mails().filter((m) => m.envelopeTo.includes('pol-204@example.org') && m.text.includes(caseId))).toEqual(
      [],
    );
    // A channel to the agency's systems (here a recorder, as a webhook would be) gets neither the cleared copies nor
    // a POLICE copy of the task.
    expect(s.deliveries.some((d) => d.reader === 'CLEARED')).toBe(false);
    expect(s.deliveries.some((d) => d.reader === 'POLICE' && d.task?.id === task.id)).toBe(false);

    // The case, and a case that does not exist: the same page.
    const missing = uniqueCaseId('NOPE').toUpperCase();
    const shown = async (id: string) => {
      const res = await uncleared.goto(`${s.url}/cases/${id}`);
      return { status: res?.status(), main: ((await uncleared.innerHTML('main')) ?? '').replaceAll(id, 'X') };
    };
    const restricted = await shown(caseId);
    const nonexistent = await shown(missing);
    expect(restricted.status).toBe(404);
    expect(restricted).toEqual(nonexistent);
    const taskPage = await uncleared.goto(`${s.url}/tasks/${encodeURIComponent(task.id)}`);
    expect(taskPage?.status()).toBe(404);
    expect(await uncleared.textContent('#task-gone')).toBeTruthy();
    await screenshot(uncleared, 'case-not-found-es');
    // The cleared officer reads the case.
    const ok = await cleared.goto(`${s.url}/cases/${caseId}`);
    expect(ok?.status()).toBe(200);
  });

  it('lets a social worker accept a referral and record the medical exam; the countdowns follow the policy', async () => {
    const { caseId } = await investigation('CARE');
    const police = api('pol-204');
    const minor = String(
      (await police.command(caseId, 'addVictim', { name: NAMES.minor, minor: true, ageMonths: 5 })).result.victimRef,
    );
    await police.command(caseId, 'rescueMinor', { victimRef: minor, custodyRef: 'CAR-LIMA-03' });
    const social = await person('social-12');
    const rows = social.locator('#inbox tbody tr').filter({ hasText: caseId });
    const referral = rows.filter({ hasText: `derivación de protección del menor ${minor}` });
    await referral.waitFor({ timeout: 20_000 });
    await screenshot(social, 'inbox-social-es');
    await referral.locator('a').first().click();
    await social.waitForURL(/\/tasks\//);
    expect(await social.isChecked('#cmd0 input[value="accepted"]')).toBe(true);
    await screenshot(social, 'task-referral-es');
    await expectAccessible(social, 'referral form (es)');
    await social.click('#cmd0-submit');
    await social.waitForURL(`${s.url}/inbox`);
    const exam = rows.filter({ hasText: `Examen médico del menor ${minor}` });
    await exam.locator('a').first().click();
    await social.waitForURL(/\/tasks\//);
    await social.check('#cmd0 input[value="examined-malnourished"]');
    await social.click('#cmd0-submit');
    await social.waitForURL(`${s.url}/inbox`);

    // The case page: placement due 72 h and the care plan 30 days after the referral was accepted (the policy).
    await social.goto(`${s.url}/cases/${caseId}`);
    const tasks = await api('social-12').inbox({ caseId });
    const placement = tasks.find((t) => t.kind === 'placement')!;
    const carePlan = tasks.find((t) => t.kind === 'care-plan')!;
    expect(Date.parse(placement.dueAt) - Date.parse(placement.createdAt)).toBe(72 * H);
    expect(Date.parse(carePlan.dueAt) - Date.parse(carePlan.createdAt)).toBe(30 * 24 * H);
    for (const t of [placement, carePlan]) {
      const cell = social.locator(`tr[data-task="${t.id}"] [data-deadline]`);
      expect(await cell.getAttribute('data-deadline')).toBe(new Date(t.dueAt).toISOString());
      const text = (await cell.textContent()) ?? '';
      const left = Date.parse(t.dueAt) - Date.now();
      // The same compact duration as the deadline, give or take the minute the page took.
      expect([compactDuration(left), compactDuration(left + 60_000)].map((d) => `quedan ${d}`)).toContain(text);
    }
    expect(await social.textContent('main')).toContain('Examen médico');
    await screenshot(social, 'case-social-es');
    await expectAccessible(social, 'case page, social worker (es)');
    await setLanguage(social, 'en');
    await screenshot(social, 'case-social-en');
    expect(await visibleText(social)).not.toContain(NAMES.minor);
  });

  it('shows a detention clock red in its last 12 hours, and a lapsed detention as lapsed', async () => {
    const { caseId, suspect, locations } = await investigation('CLOCK');
    const arrest = await arrested(caseId, suspect, locations, 'trafficking');
    const judge = await person('judge-9');
    await judge.goto(`${s.url}/cases/${caseId}`);
    const clock = judge.locator(`#clock-${String(arrest.arrestRef)}`);
    expect(await clock.getAttribute('class')).toContain('warn');
    expect(await judge.locator(`#detention-${String(arrest.arrestRef)} [data-warn-note]`).isVisible()).toBe(true);
    await screenshot(judge, 'case-detention-red-es');
    // After the 45-second limit, the clock says lapsed, live, and keeps saying it after a reload.
    await eventually(
      async () => ((await clock.getAttribute('class'))?.includes('over') ? true : undefined),
      70_000,
      'lapsed clock',
    );
    expect(await judge.locator(`#detention-${String(arrest.arrestRef)} [data-lapsed-note]`).isVisible()).toBe(true);
    expect(await judge.locator(`#detention-${String(arrest.arrestRef)} [data-warn-note]`).isVisible()).toBe(false);
    await judge.reload();
    expect(await judge.textContent(`#detention-${String(arrest.arrestRef)}`)).toContain('VENCIDO');
    await setLanguage(judge, 'en');
    expect(await judge.textContent(`#detention-${String(arrest.arrestRef)}`)).toContain('LAPSED');
    await screenshot(judge, 'case-detention-lapsed-en');
  });

  it('mails each person once per task event, reminders and escalations included, with no name in any mail', async () => {
    // A referral nobody accepts: a reminder after 20 s, an escalation after 75 s.
    const { caseId, suspect, locations } = await investigation('MAIL');
    // An arrest opens the charge-filing window: a task for PROSECUTION, which the coordinator reads in a digest.
    await arrested(caseId, suspect, locations, 'organized-crime');
    const police = api('pol-204');
    const minor = String(
      (await police.command(caseId, 'addVictim', { name: NAMES.minor2, minor: true, ageMonths: 9 })).result.victimRef,
    );
    await police.command(caseId, 'addWitness', { name: NAMES.witness });
    await police.command(caseId, 'rescueMinor', { victimRef: minor, custodyRef: 'CAR-LIMA-04' });
    const mailsFor = (to: string, pattern: RegExp) =>
      s.mails().filter((m) => m.envelopeTo.includes(to) && pattern.test(m.subject));
    await eventually(
      async () =>
        mailsFor('social-12@example.org', /Recordatorio:.*menor .* vence/).some((m) => m.subject.includes(minor))
          ? true
          : undefined,
      90_000,
      'reminder mail',
    );
    await eventually(
      async () =>
        mailsFor('oversight-3@example.org', /Overdue and escalated/).some((m) => m.subject.includes(minor))
          ? true
          : undefined,
      150_000,
      'escalation mail',
    );
    expect(mailsFor('fiscal-017@example.org', /Vencida y escalada/).some((m) => m.subject.includes(minor))).toBe(true);

    // The judge had the warrant tasks, the clerk none of them; the social worker had the referral and the exam.
    const judgeMails = mailsFor('judge-9@example.org', /Decidir la orden W-\d+/);
    expect(judgeMails.length).toBeGreaterThanOrEqual(3);
    expect(mailsFor('clerk-4@example.org', /Decidir la orden/)).toEqual([]);
    expect(mailsFor('social-12@example.org', /Aceptar la derivación/).length).toBeGreaterThanOrEqual(2);
    expect(mailsFor('social-12@example.org', /Examen médico/).length).toBeGreaterThanOrEqual(2);
    const one = judgeMails[0]!;
    expect(one.text).toMatch(/Causa: [A-Z0-9-]+\nVence: .*\(UTC\u221205:00\)/);
    expect(one.text).toContain(`${s.url}/tasks/`);

    // One mail per person per event: handing the channel the same delivery again sends nothing.
    const delivery = s.deliveries.find((d) => d.eventType === 'task-created' && d.reader === 'JUDICIARY')!;
    const count = s.mails().length;
    await s.email.deliver({ ...delivery, attempt: 2 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.mails().length).toBe(count);
    expect(new Set(s.mails().map((m) => m.messageId)).size).toBe(s.mails().length);

    // The coordinator reads new tasks in a daily digest (one today, not a second one); only reminders and
    // escalations, which cannot wait a day, reached them at once.
    expect(
      mailsFor('fiscal-coord-02@example.org', /./).filter((m) => !/Recordatorio|Vencida y escalada/.test(m.subject)),
    ).toEqual([]);
    expect(await s.email.sendDigests()).toBeGreaterThanOrEqual(1);
    await eventually(
      async () => (mailsFor('fiscal-coord-02@example.org', /Resumen diario/).length === 1 ? true : undefined),
      10_000,
      'digest',
    );
    expect(await s.email.sendDigests()).toBe(0);

    const everything = JSON.stringify(s.mails());
    for (const name of Object.values(NAMES)) expect(everything).not.toContain(name);
    for (const word of ['ALBA', 'Cercado', 'Comas']) expect(everything).not.toContain(word);
  });
});
