import { Script } from 'node:vm';
import type { Actor } from '../../src/domain/agencies';
import type { InboxEntry } from '../../src/notifier/inbox';
import { caseMain } from '../../src/web/case-page';
import { html } from '../../src/web/html';
import { inboxMain, inboxRow } from '../../src/web/inbox-page';
import { page } from '../../src/web/layout';
import { APP_JS } from '../../src/web/static/app-script';
import { APP_CSS } from '../../src/web/static/app-style';

const actor: Actor = { agency: 'JUDICIARY', staffId: 'judge-9', roles: ['judge'] };
const evil = '<img src=x onerror=alert(1)>"\'&';

const entry = (over: Partial<InboxEntry> = {}): InboxEntry =>
  ({
    id: 'case-PE-LIM-2026-0042~T3',
    caseId: 'PE-LIM-2026-0042',
    ownerWorkflowId: 'case-PE-LIM-2026-0042',
    kind: 'decide-warrant',
    title: 'Decide search warrant W-3',
    ref: 'W-3',
    assignee: 'JUDICIARY',
    createdAt: '2026-06-01T00:00:00.000Z',
    dueAt: '2026-06-04T00:00:00.000Z',
    remindAt: [],
    escalateTo: ['PROSECUTION'],
    escalated: false,
    status: 'open',
    lastEvent: { id: 'e', type: 'task-created', time: '2026-06-01T00:00:00.000Z' },
    ...over,
  }) as InboxEntry;

/** What a strict CSP (no inline script or style) would block, and what would make markup of a value. */
function assertNoInline(page: string): void {
  // Attribute values hold no raw quote and text no raw "<" (both are escaped), so every tag can be read as is.
  const tags = (page.replace(/"[^"]*"/g, '""').match(/<[^>]*>/g) ?? []).join('\n');
  expect(tags).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(tags).not.toMatch(/\sstyle=/i);
  expect(tags).not.toMatch(/<style/i);
  expect(tags).not.toMatch(/\son[a-z]+=/i);
  expect(tags).not.toMatch(/<img/i);
}

describe('pages', () => {
  const ctx = {
    lang: 'en' as const,
    actor,
    csrfSecret: 'secret',
    now: Date.parse('2026-06-01T12:00:00Z'),
    defaultZone: 'America/Lima',
  };

  it('escape every value, and carry no inline script, style or handler', () => {
    const row = inboxRow(ctx, entry({ title: evil, kind: 'unknown-kind', ref: evil }), {
      jurisdiction: 'PE-LIM',
      warrantKinds: {},
    });
    assertNoInline(row.value);
    expect(row.value).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const main = inboxMain(ctx, { rows: [{ entry: entry() }], filters: { caseId: evil }, caseIds: [evil] });
    const doc = page(
      { lang: 'en', path: '/inbox', assets: { css: '/static/app.css', js: '/static/app.js' } },
      { title: evil, main, count: 1 },
    );
    assertNoInline(doc);
    expect(doc).toMatch(/<title>\(1\) &lt;img/);
  });

  it('label a warrant task with its kind, in the person language, and its due time in the case zone', () => {
    const es = inboxRow({ ...ctx, lang: 'es' }, entry(), {
      jurisdiction: 'PE-LIM',
      warrantKinds: { 'W-3': 'search' },
    }).value;
    expect(es).toContain('Decidir la orden de allanamiento W-3');
    expect(es).toContain('(UTC\u221205:00)');
    expect(es).toContain('data-deadline="2026-06-04T00:00:00.000Z"');
    const en = inboxRow(ctx, entry(), { warrantKinds: {} }).value;
    expect(en).toContain('Decide warrant W-3');
  });

  it('show a detention clock red in its last 12 hours, and a lapsed one as lapsed', () => {
    const arrest = (limit: string) => ({
      ref: 'A-1',
      suspectRef: 'S-1',
      status: 'held',
      offenceClass: 'trafficking',
      detentionLimitAt: limit,
      clockRunning: true,
      lapsed: false,
    });
    const render = (limit: string) =>
      caseMain({
        lang: 'en',
        actor,
        now: Date.parse('2026-06-01T12:00:00Z'),
        defaultZone: 'America/Lima',
        caseId: 'PE-LIM-2026-0042',
        view: {
          caseId: 'PE-LIM-2026-0042',
          jurisdiction: 'PE-LIM',
          stage: 'DETENTION',
          arrests: [arrest(limit)],
        } as never,
        timeline: [],
        tasks: [],
        protections: [],
        facts: { warrantKinds: {} },
      }).value;
    const soon = render('2026-06-01T20:00:00Z');
    expect(soon).toMatch(/class="countdown warn"[^>]*id="clock-A-1"/);
    expect(soon).toMatch(/data-warn-note\s*>last 12 hours/);
    const later = render('2026-06-03T12:00:00Z');
    expect(later).toMatch(/class="countdown"\s[^>]*id="clock-A-1"/);
    expect(later).toMatch(/data-warn-note hidden/);
    const lapsed = render('2026-06-01T11:00:00Z');
    expect(lapsed).toMatch(/class="countdown over"/);
    expect(lapsed).toMatch(/data-lapsed-note\s*>LAPSED/);
    assertNoInline(lapsed);
  });

  it('ship a script that parses and uses no eval, and a stylesheet', () => {
    expect(() => new Script(APP_JS)).not.toThrow();
    expect(APP_JS).not.toMatch(/\beval\(|new Function|setTimeout\(['"]/);
    expect(APP_CSS).toContain(':focus-visible');
    expect(html`${'<b>'}`.value).toBe('&lt;b&gt;');
  });
});
