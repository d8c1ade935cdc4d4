/**
 * The reference case (DESIGN.md section 1) end to end on the real stack: 18 locations, 14 arrests, one
 * minor's protection, seizures with custody chains, charges, trial, verdict, closure; then what each
 * agency received, and that no personal name left the process.
 */
import { serviceDesks } from '../../src/demo/desks';
import { PERSONAL_NAMES, runReferenceCase, type ReferenceRun } from '../../src/demo/reference-case';
import type { CloudEvent } from '../../src/domain/envelope';
import {
  eventually,
  readEvents,
  startOrchestrator,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';

jest.setTimeout(300_000);

const typeOf = (e: CloudEvent) => e.type.replace('org.case-orchestrator.', '');

describe('the reference case', () => {
  let o: TestOrchestrator;
  let run: ReferenceRun;
  const byAgency: Record<string, CloudEvent[]> = {};

  beforeAll(async () => {
    o = await startOrchestrator();
    run = await runReferenceCase(serviceDesks(o.cases), uniqueCaseId('PE-LIM'));
    await eventually(
      async () => ((await o.cases.status(run.caseId)).pendingEvents === 0 ? true : undefined),
      30_000,
      'outbox drained',
    );
    for (const agency of [
      'PROSECUTION',
      'POLICE',
      'JUDICIARY',
      'CHILD_PROTECTION',
      'OVERSIGHT',
      'PARTNER',
      'CLEARED',
      'AUDIT',
    ]) {
      byAgency[agency] = (
        await readEvents(o.nc, o.config.NATS_STREAM, `cases.${agency}.>`, { caseId: run.caseId })
      ).events;
    }
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('goes through every stage to CLOSED with the case facts intact', async () => {
    const s = await o.cases.status(run.caseId);
    expect(s.stage).toBe('CLOSED');
    expect((await o.cases.timeline(run.caseId)).length).toBeGreaterThan(100);
    expect(s.raids).toEqual([
      expect.objectContaining({ ref: run.raidRef, status: 'completed', locations: 18, reported: 18 }),
    ]);
    expect(s.arrests).toHaveLength(14);
    expect(s.arrests.every((a) => a.status === 'remanded' && !a.clockRunning)).toBe(true);
    expect(s.custodyChains).toHaveLength(run.items.length);
    for (const chain of s.custodyChains) {
      expect(chain.custody.map((c) => c.to.agency)).toEqual(['POLICE', 'POLICE', 'PROSECUTION']);
      expect(chain.custody[2]!.from).toEqual({ agency: 'POLICE', staffId: 'pol-311' });
    }
    expect(s.victims.find((v) => v.ref === run.minor)).toMatchObject({ minor: true, inProtectiveCustody: true });
    expect(s.verdicts).toHaveLength(14);
    expect(s.openTasks).toEqual([]);
    expect(s.restrictedAgencies).toEqual(['POLICE']);
  });

  it("runs the minor's protection to its care plan in a workflow of its own", async () => {
    const p = await o.cases.protection(run.caseId, run.minor);
    expect(Object.keys(p.milestones).sort()).toEqual(['care-plan', 'medical-exam', 'placement', 'referral-accepted']);
    const d = await o.temporal.workflow.getHandle(run.protectionWorkflowId).describe();
    expect(d.status.name).toBe('COMPLETED');
  });

  it('gives each agency exactly its events and views', () => {
    const types = (agency: string) => new Set(byAgency[agency]!.map(typeOf));
    expect(types('CHILD_PROTECTION')).toEqual(
      new Set([
        'victim-added',
        'raid-planned',
        'minor-rescued',
        'protection-milestone',
        'task-created',
        'task-completed',
        'stage-changed',
        'case-closed',
      ]),
    );
    const rescued = byAgency.CHILD_PROTECTION!.find((e) => typeOf(e) === 'minor-rescued')!;
    expect(rescued.data).toMatchObject({ victimRef: run.minor, ageMonths: 5, custodyRef: 'MIMP-CAR-07' });
    // POLICE never learns the care plan; PARTNER gets de-identified figures only.
    expect(types('POLICE').has('protection-milestone')).toBe(false);
    for (const e of byAgency.PARTNER!) {
      for (const key of Object.keys(e.data as object))
        expect([
          'caseId',
          'jurisdiction',
          'crimeTypes',
          'from',
          'to',
          'locationCount',
          'arrests',
          'seizures',
          'minorsRescued',
          'convicted',
          'acquitted',
          'dismissed',
          'outcome', // judgment-final: convicted or acquitted, of nobody named
        ]).toContain(key);
    }
    const raidDone = byAgency.PARTNER!.find((e) => typeOf(e) === 'raid-completed')!;
    expect(raidDone.data).toEqual({
      caseId: run.caseId,
      locationCount: 18,
      arrests: 14,
      seizures: run.items.length,
      minorsRescued: 1,
    });
    // OVERSIGHT is told of the former police chief, and receives the verdict.
    expect([...types('OVERSIGHT')]).toEqual(
      expect.arrayContaining(['conflict-of-interest', 'arrest-recorded', 'verdict-recorded']),
    );
  });

  it("tells the former official's agency nothing after the conflict of interest; its vetted unit gets its tasks", () => {
    const police = byAgency.POLICE!;
    const conflictAt = byAgency.OVERSIGHT!.find((e) => typeOf(e) === 'conflict-of-interest')!.time;
    expect(police.length).toBeGreaterThan(0);
    expect(police.filter((e) => e.time > conflictAt)).toEqual([]);
    expect(JSON.stringify(police)).not.toMatch(/withheld|conflict/);
    // The raid's report task went to the officers the prosecution cleared by name, through CLEARED only.
    const cleared = byAgency.CLEARED!;
    const report = cleared.find((e) => typeOf(e) === 'task-created')!;
    expect(report.data).toMatchObject({
      agency: 'POLICE',
      clearedStaff: ['pol-204', 'pol-311'],
      task: { kind: 'report-raid-locations', assignee: 'POLICE' },
    });
  });

  it('audits every event exactly once, and no message anywhere carries a personal name', async () => {
    const s = await o.cases.status(run.caseId);
    const audit = byAgency.AUDIT!;
    const ids = audit.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const caseEvents = audit.filter((e) => e.source.endsWith(`/case-${run.caseId}`));
    expect(caseEvents).toHaveLength(s.eventsEmitted);
    const everything = JSON.stringify(byAgency);
    for (const name of Object.values(PERSONAL_NAMES)) expect(everything).not.toContain(name);
    expect(everything).not.toContain('Jr. Privado');
  });
});
