/**
 * The reference case (DESIGN.md section 1) end to end on the real stack: 18 locations, 14 arrests, one
 * minor's protection, seizures with custody chains, charges, trial, verdict, closure; then what each
 * agency received, and that no personal name left the process.
 */
import { PERSONAL_NAMES, runReferenceCase, type ReferenceRun } from '../../src/demo/reference-case';
import type { CloudEvent } from '../../src/domain/envelope';
import { eventually, readEvents, startOrchestrator, uniqueCaseId, type TestOrchestrator } from '../support/orchestrator';

jest.setTimeout(300_000);

const typeOf = (e: CloudEvent) => e.type.replace('org.case-orchestrator.', '');

describe('the reference case', () => {
  let o: TestOrchestrator;
  let run: ReferenceRun;
  const byAgency: Record<string, CloudEvent[]> = {};

  beforeAll(async () => {
    o = await startOrchestrator();
    run = await runReferenceCase(o.cases, uniqueCaseId('PE-LIM'));
    await eventually(async () => ((await o.cases.status(run.caseId)).pendingEvents === 0 ? true : undefined), 30_000, 'outbox drained');
    for (const agency of ['PROSECUTION', 'POLICE', 'JUDICIARY', 'CHILD_PROTECTION', 'OVERSIGHT', 'PARTNER', 'AUDIT']) {
      byAgency[agency] = (await readEvents(o.nc, o.config.NATS_STREAM, `cases.${agency}.>`, { caseId: run.caseId })).events;
    }
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('goes through every stage to CLOSED with the case facts intact', async () => {
    const s = await o.cases.status(run.caseId);
    expect(s.stage).toBe('CLOSED');
    expect((await o.cases.timeline(run.caseId)).length).toBeGreaterThan(100);
    expect(s.raids).toEqual([expect.objectContaining({ ref: run.raidRef, status: 'completed', locations: 18, reported: 18 })]);
    expect(s.arrests).toHaveLength(14);
    expect(s.arrests.every((a) => a.status === 'remanded' && !a.clockRunning)).toBe(true);
    expect(s.custodyChains).toHaveLength(run.items.length);
    for (const chain of s.custodyChains) {
      expect(chain.custody.map((c) => c.to.agency)).toEqual(['POLICE', 'POLICE', 'PROSECUTION']);
      expect(chain.custody[2]!.from).toEqual({ agency: 'POLICE', staffId: 'evidence-04' });
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
      new Set(['victim-added', 'raid-planned', 'minor-rescued', 'protection-milestone', 'task-created', 'task-completed', 'stage-changed', 'case-closed']),
    );
    const rescued = byAgency.CHILD_PROTECTION!.find((e) => typeOf(e) === 'minor-rescued')!;
    expect(rescued.data).toMatchObject({ victimRef: run.minor, ageMonths: 5, custodyRef: 'MIMP-CAR-07' });
    // POLICE never learns the care plan; PARTNER gets de-identified figures only.
    expect(types('POLICE').has('protection-milestone')).toBe(false);
    for (const e of byAgency.PARTNER!) {
      for (const key of Object.keys(e.data as object)) expect(['caseId', 'jurisdiction', 'crimeTypes', 'from', 'to', 'locationCount', 'arrests', 'seizures', 'minorsRescued', 'convicted', 'acquitted']).toContain(key);
    }
    const raidDone = byAgency.PARTNER!.find((e) => typeOf(e) === 'raid-completed')!;
    expect(raidDone.data).toEqual({ caseId: run.caseId, locationCount: 18, arrests: 14, seizures: run.items.length, minorsRescued: 1 });
    // OVERSIGHT is told of the former police chief, and receives the verdict.
    expect([...types('OVERSIGHT')]).toEqual(expect.arrayContaining(['conflict-of-interest', 'arrest-recorded', 'verdict-recorded']));
  });

  it("withholds the case's details from the former official's agency after the conflict of interest", () => {
    const police = byAgency.POLICE!;
    const conflictAt = byAgency.OVERSIGHT!.find((e) => typeOf(e) === 'conflict-of-interest')!.time;
    const after = police.filter((e) => e.time > conflictAt && !typeOf(e).startsWith('task-'));
    expect(after.length).toBeGreaterThan(20);
    for (const e of after) expect(e.data).toEqual({ caseId: run.caseId, withheld: 'conflict-of-interest' });
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
