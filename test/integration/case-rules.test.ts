/**
 * Commands refused where they arrive: the Update validator rejects them before they touch history,
 * the caller gets the rule, and the case is exactly as it was. Also: a case archived after
 * investigation, and a long case that continues as new and carries on intact.
 */
import { CommandRefusedError, InvalidInputError } from '../../src/client/errors';
import { caseWorkflowId } from '../../src/domain/case-state';
import { eventually, startOrchestrator, uniqueCaseId, type TestOrchestrator } from '../support/orchestrator';
import { investigating, JUDGE, POLICE, PROSECUTION, smallCase } from '../support/case-steps';

describe('case rules on the real stack', () => {
  let o: TestOrchestrator;
  beforeAll(async () => {
    o = await startOrchestrator();
  });
  afterAll(async () => {
    await o?.stop();
  });

  const historyLength = async (caseId: string) =>
    (await o.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength;

  /** Waits until the case's events are published, so its history stops growing on its own. */
  const settled = (caseId: string) =>
    eventually(
      async () => ((await o.cases.status(caseId)).pendingEvents === 0 ? true : undefined),
      15_000,
      'outbox drained',
    );

  it('refuses by rule, names it, and leaves history unchanged', async () => {
    const caseId = uniqueCaseId('RULE');
    const { suspects, locations } = await investigating(o.cases, caseId);
    await settled(caseId);
    const before = await historyLength(caseId);
    const snapshot = await o.cases.status(caseId);

    const refusals: [string, unknown, Record<string, unknown>, string, RegExp][] = [
      [
        'recordVerdict',
        JUDGE,
        { verdicts: [{ suspectRef: suspects[0], outcome: 'convicted' }] },
        'WRONG_STAGE',
        /not allowed while the case is INVESTIGATION/,
      ],
      [
        'requestWarrant',
        POLICE,
        { kind: 'search', locationRefs: locations },
        'NOT_PERMITTED',
        /only PROSECUTION may do this \(you: POLICE/,
      ],
      [
        'planRaid',
        POLICE,
        { locationRefs: locations },
        'PRECONDITION',
        /no approved, unexpired search warrant covers L-1/,
      ],
      [
        'requestWarrant',
        PROSECUTION,
        { kind: 'arrest', suspectRefs: ['S-99'] },
        'UNKNOWN_REFERENCE',
        /suspectRefs\[0\]: no suspect S-99/,
      ],
      [
        'fileCharges',
        PROSECUTION,
        { suspectRefs: ['S-7'], offences: ['human-trafficking'] },
        'UNKNOWN_REFERENCE',
        /no suspect S-7/,
      ],
    ];
    for (const [name, actor, args, code, message] of refusals) {
      const err = await o.cases.command(caseId, name, actor, args).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CommandRefusedError);
      expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    // Malformed arguments never leave the client.
    await expect(o.cases.command(caseId, 'addVictim', POLICE, { minor: 'yes' })).rejects.toThrow(InvalidInputError);
    await expect(o.cases.command(caseId, 'addVictim', POLICE, { minor: true, ageMonths: -3 })).rejects.toThrow(
      /args.ageMonths/,
    );

    expect(await historyLength(caseId)).toBe(before);
    const after = await o.cases.status(caseId);
    expect({ ...after, nextDeadlines: [] }).toEqual({ ...snapshot, nextDeadlines: [] });
  });

  it('refuses a raid once its warrant has expired', async () => {
    const caseId = uniqueCaseId('EXP');
    const { locations } = await investigating(o.cases, caseId, { locations: 2 });
    const { warrantRef } = await o.cases.command(caseId, 'requestWarrant', PROSECUTION, {
      kind: 'search',
      locationRefs: locations,
    });
    await o.cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef, validFor: '1s' });
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(o.cases.command(caseId, 'planRaid', POLICE, { locationRefs: locations })).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringContaining('no approved, unexpired search warrant covers L-1'),
    });
  });

  it('makes a retried command idempotent through its command id', async () => {
    const caseId = uniqueCaseId('IDEM');
    await investigating(o.cases, caseId, { locations: 0 });
    const args = { kind: 'clinic', district: 'Cercado' };
    const first = await o.cases.command(caseId, 'addLocation', POLICE, args, { commandId: 'cmd-idem-0001' });
    const retry = await o.cases.command(caseId, 'addLocation', POLICE, args, { commandId: 'cmd-idem-0001' });
    expect(retry).toEqual(first);
    expect((await o.cases.status(caseId)).locations).toHaveLength(1);
    // The same id asking something else is refused, and the new data is not silently dropped.
    const other = { kind: 'farm', district: 'Cercado' };
    await expect(
      o.cases.command(caseId, 'addLocation', POLICE, { ...other, kind: 'business' }, { commandId: 'cmd-idem-0001' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/commandId: cmd-idem-0001 was already used for another command/),
    });
    expect((await o.cases.status(caseId)).locations).toHaveLength(1);
  });

  it('archives a case after investigation; it then accepts nothing more', async () => {
    const caseId = uniqueCaseId('ARC');
    await investigating(o.cases, caseId, { suspects: 2, locations: 2 });
    await o.cases.command(caseId, 'archiveCase', PROSECUTION, { reason: 'insufficient-evidence' });
    const handle = o.temporal.workflow.getHandle(caseWorkflowId(caseId));
    expect(await handle.result()).toMatchObject({ caseId, stage: 'ARCHIVED' });
    expect((await o.cases.status(caseId)).stage).toBe('ARCHIVED');
    // An ended case stays readable, refuses commands saying why, and is never opened again.
    await expect(o.cases.command(caseId, 'addSuspect', PROSECUTION, { name: 'Late Suspect' })).rejects.toMatchObject({
      code: 'WRONG_STAGE',
      message: `addSuspect: case ${caseId} is ARCHIVED: it takes no more commands`,
    });
    expect((await o.cases.timeline(caseId)).map((e) => e.type)).toContain('archiveCase');
    const again = await o.cases.open(PROSECUTION, smallCase(caseId));
    expect(again).toMatchObject({ created: false, endedAs: 'ARCHIVED' });
  });

  it('continues as new when history grows long, and the case carries on intact', async () => {
    const caseId = uniqueCaseId('CAN');
    await o.cases.open(PROSECUTION, smallCase(caseId), { maxHistoryLength: 100 });
    await o.cases.command(caseId, 'startInvestigation', PROSECUTION);
    const handle = o.temporal.workflow.getHandle(caseWorkflowId(caseId));
    const firstRun = (await handle.describe()).runId;
    const locations: string[] = [];
    const firstArgs = { kind: 'home', district: 'D0' };
    const firstResult = await o.cases.command(caseId, 'addLocation', POLICE, firstArgs, {
      commandId: 'cmd-before-can-1',
    });
    locations.push(String(firstResult.locationRef));
    for (let i = 1; i < 30; i++) {
      locations.push(
        String((await o.cases.command(caseId, 'addLocation', POLICE, { kind: 'home', district: `D${i}` })).locationRef),
      );
    }
    await eventually(
      async () => ((await handle.describe()).runId !== firstRun ? true : undefined),
      10_000,
      'a new run',
    );
    // A retry of a command from before continue-as-new still returns its first result, and adds nothing.
    const retried = await o.cases.command(caseId, 'addLocation', POLICE, firstArgs, { commandId: 'cmd-before-can-1' });
    expect(retried).toEqual(firstResult);
    await expect(
      o.cases.command(
        caseId,
        'addLocation',
        POLICE,
        { ...firstArgs, district: 'elsewhere' },
        { commandId: 'cmd-before-can-1' },
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    const s = await o.cases.status(caseId);
    expect(s.locations.map((l) => l.ref)).toEqual(locations);
    expect(new Set(locations).size).toBe(30);
    // The carried-over state still drives the lifecycle, with references continuing where they were.
    const { warrantRef } = await o.cases.command(caseId, 'requestWarrant', PROSECUTION, {
      kind: 'search',
      locationRefs: locations.slice(0, 2),
    });
    expect(warrantRef).toBe('W-1');
    await o.cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef });
    const { raidRef } = await o.cases.command(caseId, 'planRaid', POLICE, { locationRefs: locations.slice(0, 2) });
    expect(raidRef).toBe('R-1');
    expect((await o.cases.status(caseId)).stage).toBe('OPERATION');
  });

  it('reports an unknown case clearly', async () => {
    await expect(o.cases.status('NO-SUCH-CASE')).rejects.toThrow(/no case NO-SUCH-CASE/);
  });
});
