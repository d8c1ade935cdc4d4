/** Need-to-know on reads (src/domain/case-views.ts): each agency's view of status and timeline. */
import { caseSnapshot } from '../../src/domain/case-state';
import { statusView, timelineView } from '../../src/domain/case-views';
import { AS, NOW, PERSONAL_STRINGS, caseAt, run } from './domain-fixtures';

describe('status views', () => {
  const state = caseAt('DETENTION');
  run(state, 'addSuspect', AS.PROSECUTION, {
    name: 'Juez Inventado',
    roles: ['facilitator'],
    official: { institution: 'judiciary', current: true },
  });
  const snapshot = caseSnapshot(state, NOW);

  it('gives PROSECUTION everything and never a personal name to anyone', () => {
    expect(statusView(snapshot, AS.PROSECUTION)).toBe(snapshot);
    for (const agency of Object.keys(AS) as (keyof typeof AS)[]) {
      const text = JSON.stringify(statusView(snapshot, AS[agency]));
      for (const secret of PERSONAL_STRINGS) expect(text).not.toContain(secret);
    }
  });

  it('tells only OVERSIGHT (and the lead) which suspects are officials, and who is restricted', () => {
    expect(statusView(snapshot, AS.OVERSIGHT).suspects?.some((s) => s.official)).toBe(true);
    expect(statusView(snapshot, AS.OVERSIGHT).restrictedAgencies).toEqual(['JUDICIARY']);
    for (const agency of ['POLICE', 'JUDICIARY', 'CHILD_PROTECTION', 'PARTNER'] as const) {
      const view = statusView(snapshot, AS[agency]);
      expect(view.suspects?.some((s) => 'official' in s) ?? false).toBe(false);
      expect(view).not.toHaveProperty('restrictedAgencies');
      expect(view).not.toHaveProperty('clearedStaff');
    }
  });

  it('shows CHILD_PROTECTION minors only, POLICE victims by reference only, PARTNER figures only', () => {
    expect(statusView(snapshot, AS.CHILD_PROTECTION).victims?.map((v) => v.ref)).toEqual(['V-1']);
    expect(statusView(snapshot, AS.POLICE).victims).toEqual([
      { ref: 'V-1', minor: true },
      { ref: 'V-2', minor: false },
    ]);
    const partner = statusView(snapshot, AS.PARTNER);
    expect(Object.keys(partner).sort()).toEqual(['crimeTypes', 'figures', 'jurisdiction', 'openedAt', 'stage']);
    expect(partner.figures).toMatchObject({ suspects: 3, arrests: 1, locationsRaided: 2 });
  });

  it("holds in each agency's open tasks only the tasks it is assigned or escalated (the lead sees all)", () => {
    for (const agency of (Object.keys(AS) as (keyof typeof AS)[]).filter((a) => a !== 'PROSECUTION')) {
      for (const t of statusView(snapshot, AS[agency]).openTasks ?? []) {
        expect(t.assignee === agency || (t.escalated && t.escalateTo.includes(agency))).toBe(true);
      }
    }
  });
});

describe('timeline views', () => {
  const state = caseAt('OPERATION');
  const entries = state.timeline;

  it('shows the lead and OVERSIGHT everything, people included', () => {
    expect(timelineView(entries, AS.PROSECUTION)).toEqual(entries);
    expect(timelineView(entries, AS.OVERSIGHT)).toEqual(entries);
  });

  it('shows others the commands their agency takes part in, and other agencies by agency only', () => {
    const police = timelineView(entries, AS.POLICE);
    expect(police.map((e) => e.type)).not.toContain('startInvestigation');
    expect(police.map((e) => e.type)).toContain('addLocation');
    for (const e of police) {
      if (e.by && e.by.agency !== 'POLICE') expect(e.by).toEqual({ agency: e.by.agency, roles: [] });
    }
    expect(timelineView(entries, AS.PARTNER).map((e) => e.type)).toEqual(['openCase']);
  });
});
