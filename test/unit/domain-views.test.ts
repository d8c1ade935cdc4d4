/**
 * Need-to-know by construction (src/domain/views.ts, EVENT_CATALOG in events.ts): one event becomes
 * one message per receiving agency holding only that agency's view, plus one canonical AUDIT copy.
 */
import type { Agency } from '../../src/domain/agencies';
import { onRaidCompleted } from '../../src/domain/commands/operation';
import { EVENT_CATALOG, type EventSpec, type PendingEvent } from '../../src/domain/events';
import { emit } from '../../src/domain/outbox';
import { newOwnerState, type CaseState } from '../../src/domain/state';
import { toAgencyMessages } from '../../src/domain/views';
import { AS, FAST_POLICY, NOW, PERSONAL_STRINGS, caseAt, lastEvent, openCase, run } from './domain-fixtures';

type Messages = ReturnType<typeof toAgencyMessages>;

/** recipient → data of its message. */
function byRecipient(messages: Messages): Record<string, Record<string, unknown>> {
  return Object.fromEntries(messages.map((m) => [m.recipient, m.event.data as Record<string, unknown>]));
}

function messagesOf(state: CaseState, type: string) {
  return byRecipient(toAgencyMessages(state.workflowId, lastEvent(state, type)));
}

/** A case with a minor rescued in the raid, arrests and seizures, and the raid completed. */
function raidDone(): CaseState {
  const state = caseAt('DETENTION');
  run(state, 'rescueMinor', AS.POLICE, {
    victimRef: 'V-1',
    custodyRef: 'MIMP-CAR-07',
    raidRef: 'R-1',
    locationRef: 'L-2',
  });
  run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'secured' });
  run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'secured' });
  onRaidCompleted(state, 'R-1', NOW);
  return state;
}

describe('each agency gets its view of an event, and nothing more', () => {
  it('case-opened: PROSECUTION everything; others the fields their view lists; CHILD_PROTECTION nothing', () => {
    const msgs = messagesOf(openCase(), 'case-opened');
    expect(Object.keys(msgs).sort()).toEqual(['AUDIT', 'JUDICIARY', 'OVERSIGHT', 'PARTNER', 'POLICE', 'PROSECUTION']);
    expect(msgs.PROSECUTION).toEqual({
      caseId: 'PE-LIM-2026-0042',
      codename: 'CUNA',
      jurisdiction: 'PE-LIM',
      crimeTypes: ['human-trafficking', 'sale-of-children'],
      priority: 'urgent',
      leadProsecutorStaffId: 'fiscal-017',
    });
    expect(msgs.POLICE).toEqual({
      caseId: 'PE-LIM-2026-0042',
      codename: 'CUNA',
      jurisdiction: 'PE-LIM',
      crimeTypes: ['human-trafficking', 'sale-of-children'],
      priority: 'urgent',
    });
    expect(msgs.JUDICIARY).toEqual({ caseId: 'PE-LIM-2026-0042', codename: 'CUNA', jurisdiction: 'PE-LIM' });
    expect(msgs.PARTNER).toEqual({
      caseId: 'PE-LIM-2026-0042',
      jurisdiction: 'PE-LIM',
      crimeTypes: ['human-trafficking', 'sale-of-children'],
    });
  });

  it('victim-added: a minor concerns CHILD_PROTECTION (full view); POLICE learns only ref and minority; an adult never reaches CHILD_PROTECTION', () => {
    const state = caseAt('INVESTIGATION');
    const minor = byRecipient(
      toAgencyMessages(
        state.workflowId,
        state.outbox.find((e) => e.type === 'victim-added' && e.data.victimRef === 'V-1')!,
      ),
    );
    expect(minor.CHILD_PROTECTION).toEqual({
      caseId: state.caseId,
      victimRef: 'V-1',
      minor: true,
      ageMonths: 5,
      sex: 'female',
    });
    expect(minor.POLICE).toEqual({ caseId: state.caseId, victimRef: 'V-1', minor: true });
    const adult = byRecipient(
      toAgencyMessages(
        state.workflowId,
        state.outbox.find((e) => e.type === 'victim-added' && e.data.victimRef === 'V-2')!,
      ),
    );
    expect(Object.keys(adult).sort()).toEqual(['AUDIT', 'POLICE', 'PROSECUTION']);
  });

  it("minor-rescued: CHILD_PROTECTION gets the minor's pseudonym, age and custodyRef; PROSECUTION ref and custody; POLICE the ref; PARTNER a count", () => {
    const msgs = messagesOf(raidDone(), 'minor-rescued');
    expect(msgs.CHILD_PROTECTION).toMatchObject({
      victimRef: 'V-1',
      ageMonths: 5,
      custodyRef: 'MIMP-CAR-07',
      sex: 'female',
      raidRef: 'R-1',
    });
    expect(msgs.PROSECUTION).toEqual({ caseId: 'PE-LIM-2026-0042', victimRef: 'V-1', custodyRef: 'MIMP-CAR-07' });
    expect(msgs.POLICE).toEqual({ caseId: 'PE-LIM-2026-0042', victimRef: 'V-1' });
    expect(msgs.PARTNER).toEqual({ caseId: 'PE-LIM-2026-0042', minorsRescued: 1 });
    expect(msgs.JUDICIARY).toBeUndefined();
  });

  it('protection-milestone: CHILD_PROTECTION and PROSECUTION hear of it, POLICE never does', () => {
    // Emitted by the protection workflow (workflows/child-protection.ts) with this data.
    const protection = newOwnerState({
      caseId: 'PE-LIM-2026-0042',
      workflowId: 'case-PE-LIM-2026-0042-minor-V-1',
      policy: FAST_POLICY,
      restrictedAgencies: [],
    });
    const event = emit(
      protection,
      'protection-milestone',
      { victimRef: 'V-1', milestone: 'medical-exam', outcome: 'examined-malnourished' },
      NOW,
    );
    const msgs = byRecipient(toAgencyMessages(protection.workflowId, event));
    expect(Object.keys(msgs).sort()).toEqual(['AUDIT', 'CHILD_PROTECTION', 'PROSECUTION']);
    expect(msgs.CHILD_PROTECTION).toEqual({
      caseId: 'PE-LIM-2026-0042',
      victimRef: 'V-1',
      milestone: 'medical-exam',
      outcome: 'examined-malnourished',
    });
    expect(msgs.PROSECUTION).toEqual({ caseId: 'PE-LIM-2026-0042', victimRef: 'V-1', milestone: 'medical-exam' });
    expect(msgs.POLICE).toBeUndefined();
  });

  it('raid-completed: PARTNER receives only counts', () => {
    const msgs = messagesOf(raidDone(), 'raid-completed');
    expect(msgs.PARTNER).toEqual({
      caseId: 'PE-LIM-2026-0042',
      locationCount: 2,
      arrests: 1,
      seizures: 1,
      minorsRescued: 1,
    });
    expect(msgs.POLICE).toMatchObject({ raidRef: 'R-1', missing: [], reported: 2 });
  });

  it('PARTNER never receives a reference to a person, place or item of the case', () => {
    const state = caseAt('CLOSED');
    for (const event of raidDone().outbox.concat(state.outbox)) {
      const partner = toAgencyMessages(state.workflowId, event).find((m) => m.recipient === 'PARTNER');
      if (partner) expect(JSON.stringify(partner.event.data)).not.toMatch(/"(S|V|WT|L|W|R|A|E|C|H)-\d+"/);
    }
  });

  it('suspect-added: POLICE gets the reference and roles, not whether the suspect is an official', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'addSuspect', AS.PROSECUTION, {
      name: 'Juez Inventado',
      roles: ['facilitator'],
      official: { institution: 'judiciary', current: true },
    });
    const msgs = byRecipient(
      toAgencyMessages(
        state.workflowId,
        state.outbox.find((e) => e.type === 'suspect-added' && e.data.suspectRef === 'S-3')!,
      ),
    );
    expect(msgs.POLICE).toEqual({ caseId: state.caseId, suspectRef: 'S-3', roles: ['facilitator'] });
    expect(msgs.PROSECUTION).toEqual({
      caseId: state.caseId,
      suspectRef: 'S-3',
      roles: ['facilitator'],
      official: true,
    });
  });
});

describe('AUDIT, ids and subjects', () => {
  const state = raidDone();
  const all = state.outbox.flatMap((e) => toAgencyMessages(state.workflowId, e));

  it('AUDIT gets exactly one canonical copy of every event: all its data, with the caseId', () => {
    for (const event of state.outbox) {
      const audit = toAgencyMessages(state.workflowId, event).filter((m) => m.recipient === 'AUDIT');
      expect(audit).toHaveLength(1);
      expect(audit[0]!.event.data).toEqual({
        caseId: state.caseId,
        ...event.data,
        ...(event.by ? { by: event.by } : {}),
      });
    }
  });

  it('msgIds are <workflowId>.<seq>.<RECIPIENT>, unique across the case', () => {
    for (const m of all) expect(m.msgId).toBe(`${m.event.id}.${m.recipient}`);
    expect(all.map((m) => m.recipient)).not.toContain('CLEARED');
    for (const event of state.outbox) {
      for (const m of toAgencyMessages(state.workflowId, event))
        expect(m.msgId).toBe(`case-PE-LIM-2026-0042.${event.seq}.${m.recipient}`);
    }
    expect(new Set(all.map((m) => m.msgId)).size).toBe(all.length);
  });

  it('is deterministic: the same event always yields the same messages (a retried publish is a duplicate)', () => {
    const again = structuredClone(state).outbox.flatMap((e) => toAgencyMessages(state.workflowId, e));
    expect(again).toEqual(all);
  });

  it('subjects are cases.<RECIPIENT>.<type>; envelopes are CloudEvents naming the case, never a person', () => {
    for (const event of state.outbox) {
      for (const m of toAgencyMessages(state.workflowId, event)) {
        expect(m.subject).toBe(`cases.${m.recipient}.${event.type}`);
        expect(m.event).toMatchObject({
          specversion: '1.0',
          id: `case-PE-LIM-2026-0042.${event.seq}`,
          source: '/case-orchestrator/case-PE-LIM-2026-0042',
          type: `org.case-orchestrator.${event.type}`,
          subject: 'PE-LIM-2026-0042',
          time: event.at,
          datacontenttype: 'application/json',
        });
      }
    }
  });

  it('no message of a whole case carries a name, an address or the summary', () => {
    const text = JSON.stringify(
      caseAt('CLOSED')
        .outbox.flatMap((e) => toAgencyMessages(state.workflowId, e))
        .concat(all),
    );
    for (const personal of PERSONAL_STRINGS) expect(text).not.toContain(personal);
  });
});

describe('conflict of interest: a restricted agency hears nothing of the case, not even that it is restricted', () => {
  /** S-3 is a former police chief: OVERSIGHT is told, POLICE is restricted from then on. */
  function withFormerChief(): CaseState {
    const state = caseAt('INVESTIGATION');
    run(state, 'addSuspect', AS.PROSECUTION, {
      name: 'Aurelio Benavides Tapia',
      roles: ['leader'],
      official: { institution: 'police', current: false, rank: 'former national police chief' },
    });
    return state;
  }

  it('OVERSIGHT and PROSECUTION hear of the conflict; POLICE does not', () => {
    const msgs = messagesOf(withFormerChief(), 'conflict-of-interest');
    expect(Object.keys(msgs).sort()).toEqual(['AUDIT', 'OVERSIGHT', 'PROSECUTION']);
    expect(msgs.OVERSIGHT).toEqual({
      caseId: 'PE-LIM-2026-0042',
      suspectRef: 'S-3',
      institution: 'police',
      agency: 'POLICE',
      current: false,
    });
  });

  it('later events do not reach the restricted agency at all: no placeholder, nothing to notice', () => {
    const state = withFormerChief();
    expect(state.restrictedAgencies).toEqual(['POLICE']);
    run(state, 'addLocation', AS.PROSECUTION, { kind: 'home', district: 'Miraflores' });
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
    for (const type of ['location-added', 'warrant-approved']) {
      const msgs = messagesOf(state, type);
      expect(msgs).not.toHaveProperty('POLICE');
      expect(msgs).not.toHaveProperty('CLEARED');
      expect(msgs.PROSECUTION).toMatchObject({ caseId: state.caseId });
    }
    for (const m of state.outbox.flatMap((e) => toAgencyMessages(state.workflowId, e))) {
      expect(JSON.stringify(m.event.data)).not.toMatch(/withheld|conflict-of-interest/);
    }
  });

  it('the tasks of a restricted agency reach only its staff cleared by name, through CLEARED', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'addSuspect', AS.PROSECUTION, {
      name: 'Juez Inventado',
      roles: ['facilitator'],
      official: { institution: 'judiciary', current: true },
    });
    run(state, 'clearStaff', AS.PROSECUTION, { agency: 'JUDICIARY', staffId: 'judge-vetted-1' });
    run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'search', locationRefs: ['L-3'] });
    expect(messagesOf(state, 'warrant-requested')).not.toHaveProperty('JUDICIARY');
    const created = toAgencyMessages(state.workflowId, lastEvent(state, 'task-created'));
    expect(created.map((m) => m.recipient)).toEqual(['CLEARED', 'AUDIT']);
    const cleared = created[0]!;
    expect(cleared.subject).toBe('cases.CLEARED.task-created');
    expect(cleared.msgId).toBe(`${cleared.event.id}.CLEARED-JUDICIARY`);
    expect(cleared.event.data).toMatchObject({
      caseId: state.caseId,
      agency: 'JUDICIARY',
      clearedStaff: ['judge-vetted-1'],
      task: { kind: 'decide-warrant', ref: 'W-2', assignee: 'JUDICIARY' },
    });
  });

  it('the restriction and the clearances travel to the raid and protection workflows the case starts', () => {
    const state = withFormerChief();
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
    run(state, 'clearStaff', AS.PROSECUTION, { agency: 'POLICE', staffId: 'pol-vetted-7' });
    const raid = run(state, 'planRaid', AS.PROSECUTION, { locationRefs: ['L-1'] }).effects!;
    const rescue = run(state, 'rescueMinor', AS.CHILD_PROTECTION, {
      victimRef: 'V-1',
      custodyRef: 'SHELTER-1',
    }).effects!;
    const expected = { restrictedAgencies: ['POLICE'], clearedStaff: { POLICE: ['pol-vetted-7'] } };
    expect(raid[0]).toMatchObject({ kind: 'start-raid', raid: expected });
    expect(rescue[0]).toMatchObject({ kind: 'start-protection', protection: expected });
  });

  it("the official's own agency does not receive the suspect-added event that reveals the conflict", () => {
    const msgs = byRecipient(
      toAgencyMessages(
        'case-PE-LIM-2026-0042',
        withFormerChief().outbox.find((e) => e.type === 'suspect-added' && e.data.suspectRef === 'S-3')!,
      ),
    );
    expect(msgs).not.toHaveProperty('POLICE');
  });
});

describe('the catalogue is the whole truth of who knows what', () => {
  function routedEvents(): PendingEvent[] {
    const state = caseAt('OPERATION');
    run(state, 'addSuspect', AS.PROSECUTION, {
      name: 'Aurelio Benavides Tapia',
      roles: ['leader'],
      official: { institution: 'police', current: false },
    });
    run(state, 'recordArrest', AS.POLICE, {
      suspectRef: 'S-3',
      offenceClass: 'organized-crime',
      inFlagrante: true,
      raidRef: 'R-1',
      locationRef: 'L-1',
    });
    return state.outbox;
  }

  it('an arrested official is routed to OVERSIGHT too', () => {
    const arrest = routedEvents().find((e) => e.type === 'arrest-recorded')!;
    expect(toAgencyMessages('w', arrest).map((m) => m.recipient)).toContain('OVERSIGHT');
  });

  it('every agency an event is routed to has a view of it in EVENT_CATALOG', () => {
    for (const event of routedEvents()) {
      for (const m of toAgencyMessages('w', event)) {
        if (m.recipient === 'AUDIT') continue;
        expect([
          event.type,
          m.recipient,
          (EVENT_CATALOG[event.type] as EventSpec).to[m.recipient as Agency] !== undefined,
        ]).toEqual([event.type, m.recipient, true]);
      }
    }
  });
});
