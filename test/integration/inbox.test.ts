/**
 * Staff tasks end to end: a workflow opens a task, the notifier projects it into the agency's inbox (JetStream
 * KV), the gateway shows it to the right people (filters: overdue, mine, unassigned, by case), and completing the
 * work through the case empties the inbox. Under conflict of interest, a restricted agency's tasks reach only its
 * staff cleared by name.
 */
import { resolvePolicy } from '../../src/domain/policy';
import { startGateway, type TestGateway } from '../support/gateway';
import { eventually, uniqueCaseId } from '../support/orchestrator';

jest.setTimeout(180_000);

const smallCase = (caseId: string) => ({
  caseId,
  codename: 'BANDEJA',
  jurisdiction: 'PE-ARE',
  crimeTypes: ['forced-labour'],
  leadProsecutor: { staffId: 'fiscal-017' },
});

describe('staff inbox', () => {
  let g: TestGateway;

  beforeAll(async () => {
    // Warrant decisions due in 3 s: long enough to see the task open, short enough to see it overdue.
    g = await startGateway({
      policy: resolvePolicy({ task: { defaultDue: '3s', remindBefore: '1s' }, raidReportWindow: '1h' }),
    });
  });
  afterAll(async () => {
    await g?.stop();
  });

  async function investigation(prefix: string) {
    const caseId = uniqueCaseId(prefix);
    const prosecutor = g.as('fiscal-017');
    await prosecutor.open(smallCase(caseId));
    await prosecutor.command(caseId, 'startInvestigation');
    const l = await prosecutor.command(caseId, 'addLocation', { kind: 'business', district: 'Arequipa' });
    return { caseId, locationRef: String(l.result.locationRef) };
  }

  it('shows a new task to the assignee agency, overdue once due, escalated, claimed, given back, and gone when done', async () => {
    const { caseId, locationRef } = await investigation('INBOX');
    const { result } = await g
      .as('fiscal-017')
      .command(caseId, 'requestWarrant', { kind: 'search', locationRefs: [locationRef] });
    const taskId = String(result.taskId);
    const judge = g.as('judge-9');
    const open = await eventually(
      async () => (await judge.inbox({ caseId })).find((t) => t.id === taskId),
      15_000,
      'task in the judge inbox',
    );
    expect(open).toMatchObject({
      assignee: 'JUDICIARY',
      status: 'open',
      title: expect.stringContaining(String(result.warrantRef)),
    });
    expect((await judge.inbox({ caseId, unassigned: true })).map((t) => t.id)).toContain(taskId);
    expect((await g.as('pol-204').inbox({ caseId })).find((t) => t.id === taskId)).toBeUndefined();

    const overdue = await eventually(
      async () => (await judge.inbox({ caseId, overdue: true })).find((t) => t.id === taskId && t.escalated),
      15_000,
      'overdue and escalated',
    );
    expect(overdue.escalateTo).toEqual(['PROSECUTION']);
    // Once escalated, the escalation agency holds it too (to see, not to close: it is the judge's decision).
    await eventually(async () =>
      (await g.as('fiscal-017').inbox({ caseId })).some((t) => t.id === taskId) ? true : undefined,
    );

    await judge.task('claim', taskId);
    await eventually(
      async () => (await judge.inbox({ mine: true, caseId })).find((t) => t.id === taskId),
      15_000,
      'claimed by judge-9',
    );
    expect((await judge.inbox({ caseId, unassigned: true })).map((t) => t.id)).not.toContain(taskId);
    // Only the one who claimed a task gives it back; then it is the agency's open work again.
    await expect(g.as('clerk-4').task('unclaim', taskId)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining('only they can unclaim it'),
    });
    expect((await judge.task('unclaim', taskId)).task).toMatchObject({ status: 'open' });
    await eventually(
      async () => (await judge.inbox({ caseId, unassigned: true })).find((t) => t.id === taskId && !t.staffId),
      15_000,
      'given back: unassigned again',
    );
    await judge.task('claim', taskId);
    await judge.command(caseId, 'approveWarrant', { warrantRef: result.warrantRef });
    await eventually(
      async () => {
        const [j, p] = await Promise.all([judge.inbox({ caseId }), g.as('fiscal-017').inbox({ caseId })]);
        return j.concat(p).some((t) => t.id === taskId) ? undefined : true;
      },
      15_000,
      'task gone from both inboxes',
    );
  });

  it("gives a restricted agency's tasks to its cleared staff only", async () => {
    const { caseId, locationRef } = await investigation('CLEARED');
    const prosecutor = g.as('fiscal-017');
    await prosecutor.command(caseId, 'addSuspect', {
      name: 'Mayor Inventado',
      roles: ['facilitator'],
      official: { institution: 'police', current: true, rank: 'major' },
    });
    await prosecutor.command(caseId, 'clearStaff', { agency: 'POLICE', staffId: 'pol-311' });
    const { result: w } = await prosecutor.command(caseId, 'requestWarrant', {
      kind: 'search',
      locationRefs: [locationRef],
    });
    await g.as('judge-9').command(caseId, 'approveWarrant', { warrantRef: w.warrantRef });
    await prosecutor.command(caseId, 'planRaid', { locationRefs: [locationRef] });

    const vetted = g.as('pol-311');
    const report = await eventually(
      async () => (await vetted.inbox({ caseId })).find((t) => t.kind === 'report-raid-locations'),
      15_000,
      "the raid's report task in the cleared officer's inbox",
    );
    expect(report).toMatchObject({ assignee: 'POLICE', clearedStaff: ['pol-311'] });
    // Other police staff and the police's own system see nothing of it.
    expect(await g.as('pol-204').inbox({ caseId })).toEqual([]);
    expect(await g.asClient('police-system').inbox({ caseId })).toEqual([]);
    await vetted.command(caseId, 'reportLocation', { raidRef: 'R-1', locationRef, outcome: 'secured' });
    await eventually(
      async () => ((await vetted.inbox({ caseId })).length === 0 ? true : undefined),
      15_000,
      'report task done',
    );
  });
});
