/**
 * Legal deadlines as durable timers, with a seconds-scale policy on the real stack: a detention clock
 * lapsing into an unlawful detention (release tasks, an OVERSIGHT review, the lapse on the record), an
 * unanswered protection referral escalating, and a raid location that never reports escalating.
 */
import { resolvePolicy } from '../../src/domain/policy';
import {
  eventually,
  readEvents,
  startOrchestrator,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';
import { CARE, JUDGE, OVERSIGHT, POLICE, raided } from '../support/case-steps';

const policy = resolvePolicy({
  detention: {
    limit: { trafficking: '4s', 'organized-crime': '4s', 'child-sale': '4s', 'illegal-abortion': '4s', other: '4s' },
    warnBefore: '2s',
    extension: '1h',
  },
  raidReportWindow: '3s',
  childProtection: { referralAcceptance: '3s', medicalExam: '1h', placement: '1h', carePlan: '1h' },
  task: { defaultDue: '1h', remindBefore: '1s' },
});

describe('deadlines', () => {
  let o: TestOrchestrator;
  beforeAll(async () => {
    o = await startOrchestrator({ policy });
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('warns before a detention limit and, when it lapses, records it and asks for release; extension is refused', async () => {
    const caseId = uniqueCaseId('DET');
    const { suspects, raidRef, arrestWarrantRef } = await raided(o.cases, caseId);
    const { arrestRef } = await o.cases.command(caseId, 'recordArrest', POLICE, {
      suspectRef: suspects[0],
      offenceClass: 'trafficking',
      warrantRef: arrestWarrantRef,
      raidRef,
    });

    const lapsed = await eventually(
      async () => {
        const s = await o.cases.status(caseId);
        const tasks = s.openTasks.filter((t) => t.kind === 'release-detainee');
        return tasks.length === 2 ? { s, tasks } : undefined;
      },
      20_000,
      'release-detainee tasks',
    );
    expect(lapsed.tasks.map((t) => t.assignee).sort()).toEqual(['JUDICIARY', 'PROSECUTION']);
    expect(lapsed.s.openTasks.filter((t) => t.kind === 'review-unlawful-detention').map((t) => t.assignee)).toEqual([
      'OVERSIGHT',
    ]);
    expect(lapsed.s.arrests[0]).toMatchObject({
      ref: arrestRef,
      lapsed: true,
      clockRunning: true,
      unlawfulDetention: { from: lapsed.s.arrests[0]!.detentionLimitAt },
    });

    const judiciary = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.JUDICIARY.>', { caseId, expected: 1 });
    const types = judiciary.events.map((e) => e.type.replace('org.case-orchestrator.', ''));
    expect(types.indexOf('detention-warning')).toBeGreaterThan(-1);
    expect(types.indexOf('detention-expired')).toBeGreaterThan(types.indexOf('detention-warning'));
    const timeline = await o.cases.timeline(caseId);
    expect(timeline.filter((e) => e.source === 'system').map((e) => e.type)).toEqual(
      expect.arrayContaining(['detention-warning', 'detention-expired']),
    );

    await expect(o.cases.command(caseId, 'extendDetention', JUDGE, { arrestRef })).rejects.toThrow(
      /the only lawful ruling is release/,
    );
    await o.cases.command(caseId, 'endDetention', JUDGE, { arrestRef, outcome: 'released' });
    const after = await o.cases.status(caseId);
    expect(after.openTasks.filter((t) => t.kind === 'release-detainee')).toEqual([]);
    expect(after.arrests[0]).toMatchObject({
      status: 'released',
      lapsed: true,
      clockRunning: false,
      unlawfulDetention: { from: expect.any(String), until: expect.any(String) },
    });
  });

  it('escalates an unanswered protection referral to OVERSIGHT and PROSECUTION, who may then complete it', async () => {
    const caseId = uniqueCaseId('REF');
    const { raidRef } = await raided(o.cases, caseId);
    const { victimRef } = await o.cases.command(caseId, 'addVictim', POLICE, { minor: true, ageMonths: 5 });
    await o.cases.command(caseId, 'rescueMinor', POLICE, { victimRef, custodyRef: 'SHELTER-1', raidRef });

    const referral = await eventually(
      async () => {
        const p = await o.cases.protection(caseId, String(victimRef));
        const t = p.openTasks.find((x) => x.kind === 'accept-referral');
        return t?.escalated ? t : undefined;
      },
      20_000,
      'escalated referral',
    );
    expect(referral.escalateTo).toEqual(['OVERSIGHT', 'PROSECUTION']);

    const oversight = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.OVERSIGHT.>', { caseId, expected: 1 });
    expect(oversight.events.map((e) => e.type)).toContain('org.case-orchestrator.task-escalated');
    // Before the escalation only CHILD_PROTECTION could act; now the escalation agencies may too.
    const done = await o.cases.task('completeTask', referral.id, OVERSIGHT, { outcome: 'accepted-on-escalation' });
    expect(done.status).toBe('completed');
    await expect(o.cases.task('completeTask', referral.id, CARE)).rejects.toThrow(/already completed/);
  });

  it('escalates a raid whose locations do not all report in time, naming the missing ones', async () => {
    const caseId = uniqueCaseId('RAID');
    const { raidRef, locations } = await raided(o.cases, caseId, { locations: 3 });
    await o.cases.command(caseId, 'reportLocation', POLICE, { raidRef, locationRef: locations[0], outcome: 'secured' });

    const prosecution = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.PROSECUTION.>', {
      caseId,
      expected: 1,
      timeoutMs: 1,
    });
    expect(prosecution.events.map((e) => e.type)).not.toContain('org.case-orchestrator.raid-locations-overdue');
    const overdue = await eventually(
      async () => {
        const { events } = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.PROSECUTION.>', { caseId });
        return events.find((e) => e.type === 'org.case-orchestrator.raid-locations-overdue');
      },
      20_000,
      'raid-locations-overdue',
    );
    expect(overdue.data).toMatchObject({ raidRef, missing: [locations[1], locations[2]] });

    // The late reports still close the operation.
    for (const locationRef of locations.slice(1))
      await o.cases.command(caseId, 'reportLocation', POLICE, { raidRef, locationRef, outcome: 'empty' });
    await eventually(
      async () => ((await o.cases.status(caseId)).raids[0]?.status === 'completed' ? true : undefined),
      15_000,
      'raid completed',
    );
  });
});
