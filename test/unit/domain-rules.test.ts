/**
 * The lifecycle rules of DESIGN.md section 4, as the pure domain enforces them: every refusal has the
 * right code, a message naming the field or rule, and leaves the case state exactly as it was.
 */
import { executeCaseCommand, validateCaseCommand } from '../../src/domain/commands';
import { onRaidCompleted } from '../../src/domain/commands/operation';
import { PERMISSIONS, type CaseCommandName } from '../../src/domain/permissions';
import { newOwnerState } from '../../src/domain/state';
import { decideTaskCommand, validateTaskCommand } from '../../src/domain/task-commands';
import { openTask } from '../../src/domain/task-ops';
import {
  newCommandId,
  permittedActor,
  AS,
  NOW,
  SECOND,
  MINUTE,
  FAST_POLICY,
  caseAt,
  eventTypes,
  expectRefused,
  lastEvent,
  openCase,
  refuse,
  rejectionOf,
  run,
} from './domain-fixtures';

describe('the stage machine', () => {
  it('walks a case INTAKE → INVESTIGATION → OPERATION → DETENTION → PROSECUTION → TRIAL → JUDGMENT → CLOSED', () => {
    const state = caseAt('CLOSED');
    expect(state.stageHistory.map((h) => h.stage)).toEqual([
      'INTAKE',
      'INVESTIGATION',
      'OPERATION',
      'DETENTION',
      'PROSECUTION',
      'TRIAL',
      'JUDGMENT',
      'CLOSED',
    ]);
    const moves = state.outbox.filter((e) => e.type === 'stage-changed').map((e) => `${e.data.from}→${e.data.to}`);
    expect(moves).toEqual([
      'INTAKE→INVESTIGATION',
      'INVESTIGATION→OPERATION',
      'OPERATION→DETENTION',
      'DETENTION→PROSECUTION',
      'PROSECUTION→TRIAL',
      'TRIAL→JUDGMENT',
      'JUDGMENT→CLOSED',
    ]);
    expect(state.closedAt).toBe(new Date(NOW).toISOString());
    expect(eventTypes(state)).toContain('case-closed');
  });

  it('moves on through the commands that do the work: planRaid, recordArrest, fileCharges, openTrial, recordVerdict', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
    expect(state.stage).toBe('INVESTIGATION');
    run(state, 'planRaid', AS.PROSECUTION, { locationRefs: ['L-1'] });
    expect(state.stage).toBe('OPERATION');
    run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'child-sale', inFlagrante: true });
    expect(state.stage).toBe('DETENTION');
    run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-2'], offences: ['sale-of-children'] });
    expect(state.stage).toBe('PROSECUTION');
    run(state, 'openTrial', AS.JUDICIARY);
    expect(state.stage).toBe('TRIAL');
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-2', outcome: 'acquitted' }] });
    expect(state.stage).toBe('JUDGMENT');
  });

  it('archives a case from investigation: INTAKE → INVESTIGATION → ARCHIVED', () => {
    const state = caseAt('ARCHIVED');
    expect(state.stageHistory.map((h) => h.stage)).toEqual(['INTAKE', 'INVESTIGATION', 'ARCHIVED']);
    expect(lastEvent(state, 'case-archived').data).toEqual({ reason: 'insufficient-evidence' });
    expect(state.closedAt).toBeDefined();
  });

  it('archives a case straight from intake', () => {
    const state = openCase();
    run(state, 'archiveCase', AS.PROSECUTION, { reason: 'no-offence' });
    expect(state.stageHistory.map((h) => h.stage)).toEqual(['INTAKE', 'ARCHIVED']);
  });

  it('goes from investigation straight to prosecution when charges are filed before any raid', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-2'], offences: ['illegal-abortion'] });
    expect(state.stageHistory.map((h) => h.stage)).toEqual(['INTAKE', 'INVESTIGATION', 'PROSECUTION']);
    expect(state.suspects['S-2']!.charged).toBe(true);
  });

  it('goes from operation straight to prosecution when the suspects fled the raid: charges need no arrest', () => {
    const state = caseAt('OPERATION'); // R-1 planned, nobody arrested
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'empty' });
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'empty' });
    run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-1'], offences: ['sale-of-children'] });
    expect(state.stageHistory.map((h) => h.stage)).toEqual(['INTAKE', 'INVESTIGATION', 'OPERATION', 'PROSECUTION']);
    expect(lastEvent(state, 'stage-changed').data).toEqual({ from: 'OPERATION', to: 'PROSECUTION' });
  });

  it('ending a case cancels its open tasks and timers and asks planned raids to stop', () => {
    const state = caseAt('INVESTIGATION');
    expect(Object.values(state.tasks).filter((t) => t.status === 'open')).toHaveLength(1); // decide W-1
    const { effects } = run(state, 'archiveCase', AS.PROSECUTION, { reason: 'merged' });
    expect(effects).toEqual([]);
    expect(Object.values(state.tasks).map((t) => t.status)).toEqual(['cancelled']);
    expect(state.deadlines).toEqual([]);

    const closed = caseAt('JUDGMENT');
    run(closed, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] });
    const outcome = run(closed, 'closeCase', AS.PROSECUTION);
    expect(outcome.effects).toEqual([{ kind: 'stop-raid', workflowId: `${closed.workflowId}-raid-R-1` }]);
    expect(closed.deadlines).toEqual([]);
  });

  describe('investigation goes on after arrests', () => {
    it.each(['DETENTION', 'PROSECUTION'] as const)(
      'in %s: new suspects, victims, witnesses, locations, warrants and raids',
      (stage) => {
        const state = caseAt(stage);
        expect(run(state, 'addSuspect', AS.POLICE, { name: 'Nuevo Sospechoso', roles: ['buyer'] }).result).toEqual({
          suspectRef: 'S-3',
        });
        expect(run(state, 'addVictim', AS.CHILD_PROTECTION, { minor: true, ageMonths: 2 }).result).toEqual({
          victimRef: 'V-3',
        });
        expect(run(state, 'addWitness', AS.POLICE, { name: 'Testigo Nuevo' }).result).toEqual({ witnessRef: 'WT-2' });
        expect(run(state, 'addLocation', AS.PROSECUTION, { kind: 'vehicle', district: 'Callao' }).result).toEqual({
          locationRef: 'L-4',
        });
        expect(
          run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'search', locationRefs: ['L-3', 'L-4'] }).result,
        ).toMatchObject({ warrantRef: 'W-3' });
        run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-3' });
        expect(run(state, 'planRaid', AS.POLICE, { locationRefs: ['L-3', 'L-4'] }).result).toMatchObject({
          raidRef: 'R-2',
          warrantRefs: ['W-3'],
        });
        run(state, 'recordArrest', AS.POLICE, {
          suspectRef: 'S-3',
          offenceClass: 'child-sale',
          inFlagrante: true,
          raidRef: 'R-2',
          locationRef: 'L-4',
        });
        expect(state.stage).toBe(stage);
      },
    );
  });
});

describe('ordering: commands are refused outside their stages (WRONG_STAGE)', () => {
  it('no verdict before trial', () => {
    const state = caseAt('PROSECUTION');
    refuse(
      state,
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-1', outcome: 'convicted' }] },
      'WRONG_STAGE',
      /^recordVerdict: not allowed while the case is PROSECUTION \(allowed in TRIAL, JUDGMENT\)$/,
    );
  });

  it('no raid planning at intake', () => {
    refuse(
      openCase(),
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1'] },
      'WRONG_STAGE',
      /^planRaid: not allowed while the case is INTAKE \(allowed in INVESTIGATION, OPERATION, DETENTION, PROSECUTION\)$/,
    );
  });

  it('no trial before prosecution, no second investigation, no archiving after a raid', () => {
    refuse(caseAt('DETENTION'), 'openTrial', AS.JUDICIARY, {}, 'WRONG_STAGE', /openTrial: .*DETENTION/);
    refuse(
      caseAt('INVESTIGATION'),
      'startInvestigation',
      AS.PROSECUTION,
      {},
      'WRONG_STAGE',
      /startInvestigation: .*INVESTIGATION \(allowed in INTAKE\)/,
    );
    refuse(
      caseAt('OPERATION'),
      'archiveCase',
      AS.PROSECUTION,
      { reason: 'other' },
      'WRONG_STAGE',
      /archiveCase: .*OPERATION/,
    );
    refuse(caseAt('TRIAL'), 'addSuspect', AS.POLICE, { name: 'Tarde' }, 'WRONG_STAGE', /addSuspect: .*TRIAL/);
    refuse(
      caseAt('TRIAL'),
      'fileCharges',
      AS.PROSECUTION,
      { suspectRefs: ['S-2'], offences: ['corruption'] },
      'WRONG_STAGE',
      /fileCharges/,
    );
    refuse(
      caseAt('PROSECUTION'),
      'closeCase',
      AS.PROSECUTION,
      {},
      'WRONG_STAGE',
      /closeCase: .*\(allowed in JUDGMENT\)/,
    );
  });

  describe.each(['CLOSED', 'ARCHIVED'] as const)('nothing at all once the case is %s', (stage) => {
    const names = Object.keys(PERMISSIONS) as CaseCommandName[];
    it.each(names)('%s is refused: the case is over', (name) => {
      const state = caseAt(stage);
      const actor = permittedActor(name);
      refuse(
        state,
        name,
        actor,
        {},
        'WRONG_STAGE',
        new RegExp(`^${name}: not allowed while the case is ${stage} \\(the case is over\\)$`),
      );
    });
  });

  it('checks who before when: a wrong agency in a wrong stage hears NOT_PERMITTED', () => {
    refuse(
      openCase(),
      'recordVerdict',
      AS.POLICE,
      {},
      'NOT_PERMITTED',
      /^recordVerdict: only .* may do this \(you: POLICE, /,
    );
  });
});

describe('who may do what (NOT_PERMITTED)', () => {
  it('only JUDICIARY approves or denies warrants: POLICE may not approve', () => {
    const state = caseAt('INVESTIGATION');
    refuse(
      state,
      'approveWarrant',
      AS.POLICE,
      { warrantRef: 'W-1' },
      'NOT_PERMITTED',
      /^approveWarrant: only .* may do this \(you: POLICE, /,
    );
    refuse(
      state,
      'denyWarrant',
      AS.PROSECUTION,
      { warrantRef: 'W-1', reason: 'other' },
      'NOT_PERMITTED',
      /^denyWarrant: only .* may do this \(you: PROSECUTION, /,
    );
  });

  it('only JUDICIARY rules on detention: PROSECUTION may neither extend nor end it', () => {
    const state = caseAt('DETENTION');
    refuse(
      state,
      'extendDetention',
      AS.PROSECUTION,
      { arrestRef: 'A-1' },
      'NOT_PERMITTED',
      /^extendDetention: only .* may do this \(you: PROSECUTION, /,
    );
    refuse(
      state,
      'endDetention',
      AS.PROSECUTION,
      { arrestRef: 'A-1', outcome: 'released' },
      'NOT_PERMITTED',
      /^endDetention: only .* may do this \(you: PROSECUTION, /,
    );
    refuse(
      state,
      'endDetention',
      AS.POLICE,
      { arrestRef: 'A-1', outcome: 'released' },
      'NOT_PERMITTED',
      /^endDetention: only .* may do this \(you: POLICE, /,
    );
  });

  it('only CHILD_PROTECTION accepts a referral: JUDICIARY may not complete the accept-referral task', () => {
    // The protection workflow owns that task; any TaskOwnerState behaves the same.
    const protection = newOwnerState({
      caseId: 'PE-LIM-2026-0042',
      workflowId: 'case-PE-LIM-2026-0042-minor-V-1',
      policy: FAST_POLICY,
      restrictedAgencies: [],
    });
    const task = openTask(
      protection,
      {
        kind: 'accept-referral',
        title: 'Accept the referral of minor V-1',
        ref: 'V-1',
        assignee: 'CHILD_PROTECTION',
        dueInMs: 5 * SECOND,
        escalateTo: ['OVERSIGHT', 'PROSECUTION'],
      },
      NOW,
    );
    const before = structuredClone(protection);
    const refusal = rejectionOf(() =>
      validateTaskCommand(protection, 'completeTask', {
        commandId: newCommandId(),
        actor: AS.JUDICIARY,
        args: { taskId: task.id, outcome: 'accepted' },
      }),
    );
    expect(refusal.code).toBe('NOT_PERMITTED');
    expect(refusal.message).toBe(`task ${task.id} is assigned to CHILD_PROTECTION, not JUDICIARY`);
    expect(protection).toEqual(before);
    expect(
      validateTaskCommand(protection, 'completeTask', {
        commandId: newCommandId(),
        actor: AS.CHILD_PROTECTION,
        args: { taskId: task.id, outcome: 'accepted' },
      }),
    ).toMatchObject({ kind: 'run', args: { taskId: task.id } });
  });

  it('only PROSECUTION files charges, leads (assigns the prosecutor) and closes', () => {
    refuse(
      caseAt('DETENTION'),
      'fileCharges',
      AS.POLICE,
      { suspectRefs: ['S-1'], offences: ['human-trafficking'] },
      'NOT_PERMITTED',
      /^fileCharges: only .* may do this \(you: POLICE, /,
    );
    refuse(
      openCase(),
      'assignProsecutor',
      AS.JUDICIARY,
      { staffId: 'judge-09' },
      'NOT_PERMITTED',
      /^assignProsecutor: only .* may do this \(you: JUDICIARY, /,
    );
    refuse(
      caseAt('JUDGMENT'),
      'closeCase',
      AS.JUDICIARY,
      {},
      'NOT_PERMITTED',
      /^closeCase: only .* may do this \(you: JUDICIARY, /,
    );
  });

  it('a seized item is transferred only by its current holder agency', () => {
    const state = caseAt('DETENTION');
    refuse(
      state,
      'transferCustody',
      AS.PROSECUTION,
      { itemRef: 'E-1', to: { agency: 'PROSECUTION', staffId: 'fiscal-017' }, reason: 'court-exhibit' },
      'NOT_PERMITTED',
      /^itemRef: E-1 is held by POLICE; only the holder may transfer it$/,
    );
    run(state, 'transferCustody', AS.POLICE, {
      itemRef: 'E-1',
      to: { agency: 'PROSECUTION', staffId: 'fiscal-017' },
      reason: 'court-exhibit',
    });
    refuse(
      state,
      'transferCustody',
      AS.POLICE,
      { itemRef: 'E-1', to: { agency: 'POLICE', staffId: 'op-commander-21' }, reason: 'other' },
      'NOT_PERMITTED',
      /E-1 is held by PROSECUTION/,
    );
    expect(state.items['E-1']!.custody.map((c) => c.to.agency)).toEqual(['POLICE', 'PROSECUTION']);
  });

  it('a task is done by its assignee, not by another agency (decide-warrant belongs to JUDICIARY)', () => {
    const state = caseAt('INVESTIGATION');
    const taskId = state.warrants['W-1']!.taskId;
    const before = structuredClone(state);
    const refusal = rejectionOf(() =>
      validateTaskCommand(state, 'completeTask', { commandId: newCommandId(), actor: AS.POLICE, args: { taskId } }),
    );
    expect(refusal.code).toBe('NOT_PERMITTED');
    expect(refusal.message).toMatch(/assigned to JUDICIARY, not POLICE/);
    expect(state).toEqual(before);
  });
});

describe('preconditions (PRECONDITION)', () => {
  it('no raid without an approved warrant', () => {
    const state = caseAt('INVESTIGATION'); // W-1 requested, not decided
    refuse(
      state,
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1'] },
      'PRECONDITION',
      /^locationRefs\[0\]: no approved, unexpired search warrant covers L-1$/,
    );
  });

  it('no raid on a denied warrant, or on a place that only an arrest warrant names', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'denyWarrant', AS.JUDICIARY, { warrantRef: 'W-1', reason: 'insufficient-grounds' });
    refuse(state, 'planRaid', AS.POLICE, { locationRefs: ['L-1'] }, 'PRECONDITION', /covers L-1/);
    run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'arrest', locationRefs: ['L-3'], suspectRefs: ['S-2'] });
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-2' });
    refuse(state, 'planRaid', AS.POLICE, { locationRefs: ['L-3'] }, 'PRECONDITION', /search warrant covers L-3/);
  });

  it('every location of the raid needs cover: the message names the uncovered one', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
    refuse(
      state,
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1', 'L-2', 'L-3'] },
      'PRECONDITION',
      /^locationRefs\[2\]: .* covers L-3$/,
    );
  });

  it('a raid cannot start in the past', () => {
    const state = caseAt('OPERATION');
    refuse(
      state,
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1'], startsAt: new Date(NOW - 2 * MINUTE).toISOString() },
      'PRECONDITION',
      /^startsAt: must not be in the past$/,
    );
  });

  it('no trial without charges', () => {
    // Commands only reach PROSECUTION by filing charges, so the rule is defence in depth: put a case
    // there by hand to see it hold.
    const state = caseAt('INVESTIGATION');
    state.stage = 'PROSECUTION';
    refuse(state, 'openTrial', AS.JUDICIARY, {}, 'PRECONDITION', /^no charges have been filed: a trial needs charges$/);
  });

  it('no charges that name no suspect', () => {
    refuse(
      caseAt('DETENTION'),
      'fileCharges',
      AS.PROSECUTION,
      { suspectRefs: [], offences: ['human-trafficking'] },
      'INVALID_ARGUMENTS',
      /^args\.suspectRefs: must name at least one identified suspect$/,
    );
    refuse(
      caseAt('DETENTION'),
      'fileCharges',
      AS.PROSECUTION,
      { suspectRefs: ['S-1'], offences: [] },
      'INVALID_ARGUMENTS',
      /^args\.offences: must name at least one offence$/,
    );
  });

  it('no closing while someone is still in police detention', () => {
    const state = caseAt('DETENTION'); // A-1 held
    run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-1'], offences: ['organized-crime'] });
    run(state, 'openTrial', AS.JUDICIARY);
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 120 }],
    });
    run(state, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] });
    refuse(
      state,
      'closeCase',
      AS.PROSECUTION,
      {},
      'PRECONDITION',
      /^arrests A-1 are still in police detention: release or remand first$/,
    );
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' });
    expect(run(state, 'closeCase', AS.PROSECUTION).result).toEqual({ stage: 'CLOSED' });
  });

  it('only minors are taken into protective custody', () => {
    refuse(
      caseAt('INVESTIGATION'),
      'rescueMinor',
      AS.POLICE,
      { victimRef: 'V-2', custodyRef: 'SHELTER-12' },
      'PRECONDITION',
      /^victimRef: V-2 is not recorded as a minor$/,
    );
  });

  it('a verdict is for a charged suspect only', () => {
    refuse(
      caseAt('TRIAL'),
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-2', outcome: 'acquitted' }] },
      'PRECONDITION',
      /^verdicts\[0\]\.suspectRef: S-2 was never charged$/,
    );
  });
});

describe('unknown parties and places (UNKNOWN_REFERENCE)', () => {
  it('no arrest of a suspect the case does not know', () => {
    refuse(
      caseAt('OPERATION'),
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-99', offenceClass: 'trafficking', inFlagrante: true },
      'UNKNOWN_REFERENCE',
      /^suspectRef: no suspect S-99 in this case$/,
    );
  });

  it('no report for a location that is not part of the raid', () => {
    const state = caseAt('OPERATION'); // R-1 covers L-1, L-2; L-3 exists but is not in it
    refuse(
      state,
      'reportLocation',
      AS.POLICE,
      { raidRef: 'R-1', locationRef: 'L-3', outcome: 'secured' },
      'UNKNOWN_REFERENCE',
      /^locationRef: L-3 is not a location of raid R-1$/,
    );
    refuse(
      state,
      'reportLocation',
      AS.POLICE,
      { raidRef: 'R-9', locationRef: 'L-1', outcome: 'secured' },
      'UNKNOWN_REFERENCE',
      /^raidRef: no raid R-9 in this case$/,
    );
  });

  it('names the exact field of an unknown reference', () => {
    const state = caseAt('DETENTION');
    refuse(
      state,
      'requestWarrant',
      AS.PROSECUTION,
      { kind: 'arrest', suspectRefs: ['S-1', 'S-42'] },
      'UNKNOWN_REFERENCE',
      /^suspectRefs\[1\]: no suspect S-42 in this case$/,
    );
    refuse(
      state,
      'approveWarrant',
      AS.JUDICIARY,
      { warrantRef: 'W-9' },
      'UNKNOWN_REFERENCE',
      /^warrantRef: no warrant W-9/,
    );
    refuse(
      state,
      'extendDetention',
      AS.JUDICIARY,
      { arrestRef: 'A-9' },
      'UNKNOWN_REFERENCE',
      /^arrestRef: no arrest A-9/,
    );
    refuse(
      state,
      'transferCustody',
      AS.POLICE,
      { itemRef: 'E-9', to: { agency: 'PROSECUTION', staffId: 'fiscal-017' }, reason: 'other' },
      'UNKNOWN_REFERENCE',
      /^itemRef: no seized item E-9/,
    );
    refuse(
      state,
      'rescueMinor',
      AS.POLICE,
      { victimRef: 'V-9', custodyRef: 'SHELTER-1' },
      'UNKNOWN_REFERENCE',
      /^victimRef: no victim V-9/,
    );
    refuse(
      state,
      'recordSeizure',
      AS.POLICE,
      { kind: 'phone', description: 'phones', locationRef: 'L-77' },
      'UNKNOWN_REFERENCE',
      /^locationRef: no location L-77/,
    );
    refuse(
      state,
      'fileCharges',
      AS.PROSECUTION,
      { suspectRefs: ['S-7'], offences: ['corruption'] },
      'UNKNOWN_REFERENCE',
      /^suspectRefs\[0\]: no suspect S-7/,
    );
  });

  it('no task command for a task the workflow does not own', () => {
    const state = caseAt('INVESTIGATION');
    const refusal = rejectionOf(() =>
      validateTaskCommand(state, 'completeTask', {
        commandId: newCommandId(),
        actor: AS.JUDICIARY,
        args: { taskId: 'case-OTHER~T1' },
      }),
    );
    expect(refusal.code).toBe('UNKNOWN_REFERENCE');
    expect(refusal.message).toBe('taskId: no task case-OTHER~T1 in this workflow');
  });
});

describe('warrants expire', () => {
  function withShortWarrant() {
    const state = caseAt('INVESTIGATION');
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1', validFor: '1s' });
    expect(state.warrants['W-1']!.validUntil).toBe(new Date(NOW + SECOND).toISOString());
    return state;
  }

  it('a raid may be planned while the warrant is valid', () => {
    const state = withShortWarrant();
    expect(
      validateCaseCommand(
        state,
        'planRaid',
        { commandId: newCommandId(), actor: AS.POLICE, args: { locationRefs: ['L-1'] } },
        NOW + 500,
      ),
    ).toBeDefined();
  });

  it('no raid once the validity has passed (validUntil itself is already too late)', () => {
    const state = withShortWarrant();
    refuse(
      state,
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1'] },
      'PRECONDITION',
      /^locationRefs\[0\]: no approved, unexpired search warrant covers L-1$/,
      NOW + SECOND,
    );
    refuse(state, 'planRaid', AS.POLICE, { locationRefs: ['L-1'] }, 'PRECONDITION', /unexpired/, NOW + 2 * SECOND);
  });

  it('no raid that starts after the warrant lapses, even if planned while it is valid', () => {
    const state = withShortWarrant();
    refuse(
      state,
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1'], startsAt: new Date(NOW + 5 * SECOND).toISOString() },
      'PRECONDITION',
      /unexpired search warrant covers L-1/,
    );
  });

  it('a fresh warrant over the same places makes the raid possible again', () => {
    const state = withShortWarrant();
    const later = NOW + 10 * SECOND;
    run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'search', locationRefs: ['L-1'] }, later);
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-2' }, later);
    expect(run(state, 'planRaid', AS.POLICE, { locationRefs: ['L-1'] }, later).result).toMatchObject({
      warrantRefs: ['W-2'],
    });
  });
});

describe('malformed arguments (INVALID_ARGUMENTS), each message naming the field and the rule', () => {
  const state = caseAt('DETENTION');
  const cases: [string, string, object, unknown, RegExp][] = [
    [
      'extra field',
      'addSuspect',
      AS.POLICE,
      { name: 'Alguien', dateOfBirth: '1970-01-01' },
      /^args: Unrecognized key: "dateOfBirth"$/,
    ],
    [
      'wrong enum',
      'addLocation',
      AS.POLICE,
      { kind: 'castle', district: 'Cercado' },
      /^args\.kind: must be one of the case's location kinds: home, business, /,
    ],
    [
      'wrong enum in an array',
      'addSuspect',
      AS.POLICE,
      { name: 'Alguien', roles: ['mastermind'] },
      /^args\.roles\.0: /,
    ],
    [
      'bad reference',
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'suspect-1', offenceClass: 'trafficking' },
      /^args\.suspectRef: must be a reference like S-1$/,
    ],
    [
      'reference of the wrong kind',
      'extendDetention',
      AS.JUDICIARY,
      { arrestRef: 'S-1' },
      /^args\.arrestRef: must be a reference like A-1$/,
    ],
    ['negative age', 'addVictim', AS.POLICE, { minor: true, ageMonths: -1 }, /^args\.ageMonths: /],
    ['fractional age', 'addVictim', AS.POLICE, { minor: false, ageMonths: 30.5 }, /^args\.ageMonths: /],
    [
      'a "minor" of 18',
      'addVictim',
      AS.POLICE,
      { minor: true, ageMonths: 216 },
      /^args\.ageMonths: a minor must be under 18 \(216 months\)$/,
    ],
    ['blank name', 'addWitness', AS.POLICE, { name: '   ' }, /^args\.name: must not be empty$/],
    [
      'overlong name',
      'addSuspect',
      AS.POLICE,
      { name: 'x'.repeat(201) },
      /^args\.name: must be at most 200 characters$/,
    ],
    [
      'wrong type',
      'addVictim',
      AS.POLICE,
      { minor: 'yes' },
      /^args\.minor: Invalid input: expected boolean, received string$/,
    ],
    [
      'arguments not an object',
      'addLocation',
      AS.POLICE,
      'L-1',
      /^args: Invalid input: expected object, received string$/,
    ],
    ['missing field', 'addLocation', AS.POLICE, { kind: 'home' }, /^args\.district: /],
    [
      'no duration',
      'extendDetention',
      AS.JUDICIARY,
      { arrestRef: 'A-1', extendBy: 'forever' },
      /^args\.extendBy: must be a duration such as 500ms/,
    ],
    [
      'repeated raid location',
      'planRaid',
      AS.POLICE,
      { locationRefs: ['L-1', 'L-1'] },
      /^args\.locationRefs: must not repeat a location$/,
    ],
    [
      'warrant over nothing',
      'requestWarrant',
      AS.PROSECUTION,
      { kind: 'search' },
      /^args\.locationRefs: must name at least one location or suspect$/,
    ],
    [
      'bad instant',
      'scheduleHearing',
      AS.JUDICIARY,
      { kind: 'trial', at: 'tomorrow' },
      /^args\.at: must be an ISO-8601 date-time/,
    ],
    [
      'bad custody reference',
      'rescueMinor',
      AS.POLICE,
      { victimRef: 'V-1', custodyRef: 'shelter 12!' },
      /^args\.custodyRef: must be a reference such as SHELTER-12$/,
    ],
    [
      'bad staff id in a transfer',
      'transferCustody',
      AS.POLICE,
      { itemRef: 'E-1', to: { agency: 'POLICE', staffId: 'evidence room' }, reason: 'other' },
      /^args\.to\.staffId: must be 1-64 letters/,
    ],
    [
      'official of a non-agency',
      'addSuspect',
      AS.POLICE,
      { name: 'Alguien', official: { institution: 'army', current: true } },
      /^args\.official\.institution: Invalid option: expected one of "police"\|/,
    ],
  ];
  it.each(cases)('%s (%s)', (_what, name, actor, args, message) => {
    expectRefused(state, name, { actor, args }, 'INVALID_ARGUMENTS', message);
  });

  it('an acquittal carries no sentence', () => {
    refuse(
      caseAt('TRIAL'),
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted', sentenceMonths: 12 }] },
      'INVALID_ARGUMENTS',
      /^args\.verdicts\.0\.sentenceMonths: only a conviction carries a sentence$/,
    );
  });

  it('the envelope itself: unknown command, unknown agency, bad staff id, extra fields', () => {
    expectRefused(
      state,
      'deleteCase',
      { actor: AS.PROSECUTION, args: {} },
      'INVALID_ARGUMENTS',
      /^command: unknown command deleteCase$/,
    );
    expectRefused(
      state,
      '__proto__',
      { actor: AS.PROSECUTION, args: {} },
      'INVALID_ARGUMENTS',
      /^command: unknown command __proto__$/,
    );
    expectRefused(
      state,
      'addLocation',
      { actor: { agency: 'MAYOR' }, args: {} },
      'INVALID_ARGUMENTS',
      /^actor\.agency: Invalid option/,
    );
    expectRefused(
      state,
      'addLocation',
      { actor: { agency: 'POLICE', staffId: 'Juan Perez' }, args: {} },
      'INVALID_ARGUMENTS',
      /^actor\.staffId: must be 1-64 letters/,
    );
    expectRefused(
      state,
      'addLocation',
      { actor: AS.POLICE, args: {}, sudo: true } as never,
      'INVALID_ARGUMENTS',
      /^arguments: Unrecognized key: "sudo"$/,
    );
    expectRefused(
      state,
      'addLocation',
      null as never,
      'INVALID_ARGUMENTS',
      /^arguments: Invalid input: expected object, received null$/,
    );
    expectRefused(state, 'addLocation', { actor: AS.POLICE }, 'INVALID_ARGUMENTS', /^args: /);
  });
});

describe('conflicts (CONFLICT)', () => {
  it('a raid location is reported once', () => {
    const state = caseAt('OPERATION');
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'secured' });
    refuse(
      state,
      'reportLocation',
      AS.POLICE,
      { raidRef: 'R-1', locationRef: 'L-1', outcome: 'empty' },
      'CONFLICT',
      /^locationRef: L-1 of raid R-1 already reported$/,
    );
  });

  it('a raid completes only once every location reported to the case, whoever says otherwise', () => {
    const state = caseAt('OPERATION');
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'secured' });
    const before = structuredClone(state);
    expect(onRaidCompleted(state, 'R-1', NOW)).toBe(false);
    expect(onRaidCompleted(state, 'R-9', NOW)).toBe(false);
    expect(state).toEqual(before);
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'empty' });
    expect(onRaidCompleted(state, 'R-1', NOW)).toBe(true);
    expect(state.raids['R-1']!.status).toBe('completed');
    expect(lastEvent(state, 'raid-completed').data).toMatchObject({ raidRef: 'R-1', missing: [], reported: 2 });
    expect(onRaidCompleted(state, 'R-1', NOW)).toBe(false);
  });

  it('a suspect in custody is not arrested twice; after release they may be', () => {
    const state = caseAt('DETENTION'); // S-1 held under A-1
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'trafficking', warrantRef: 'W-2' },
      'CONFLICT',
      /^suspectRef: S-1 is already in custody under arrest A-1$/,
    );
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' });
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'trafficking', inFlagrante: true },
      'CONFLICT',
      /under arrest A-1/,
    );
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' });
    expect(
      run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-1', offenceClass: 'trafficking', warrantRef: 'W-2' })
        .result,
    ).toMatchObject({ arrestRef: 'A-2' });
  });

  it('a warrant is decided once', () => {
    const state = caseAt('OPERATION'); // W-1 approved
    refuse(
      state,
      'approveWarrant',
      AS.JUDICIARY,
      { warrantRef: 'W-1' },
      'CONFLICT',
      /^warrantRef: warrant W-1 was already approved$/,
    );
    refuse(
      state,
      'denyWarrant',
      AS.JUDICIARY,
      { warrantRef: 'W-1', reason: 'defective' },
      'CONFLICT',
      /already approved/,
    );
  });

  it('detention rulings follow the arrest status', () => {
    const state = caseAt('DETENTION');
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' });
    refuse(
      state,
      'extendDetention',
      AS.JUDICIARY,
      { arrestRef: 'A-1' },
      'CONFLICT',
      /^arrestRef: arrest A-1 is remanded$/,
    );
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' });
    refuse(
      state,
      'endDetention',
      AS.JUDICIARY,
      { arrestRef: 'A-1', outcome: 'remanded' },
      'CONFLICT',
      /^arrestRef: arrest A-1 is released$/,
    );
  });

  it('a minor is taken into protective custody once', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'rescueMinor', AS.CHILD_PROTECTION, { victimRef: 'V-1', custodyRef: 'SHELTER-12' });
    refuse(
      state,
      'rescueMinor',
      AS.POLICE,
      { victimRef: 'V-1', custodyRef: 'SHELTER-13' },
      'CONFLICT',
      /^victimRef: V-1 is already in protective custody$/,
    );
  });

  it('a task is completed once, and claimed by one staff member', () => {
    const state = caseAt('INVESTIGATION');
    const taskId = state.warrants['W-1']!.taskId;
    decideTaskCommand(state, 'claimTask', { commandId: newCommandId(), actor: AS.JUDICIARY, args: { taskId } }, NOW);
    const other = { agency: 'JUDICIARY', staffId: 'judge-10', roles: ['judge'] };
    const claimed = rejectionOf(() =>
      validateTaskCommand(state, 'claimTask', { commandId: newCommandId(), actor: other, args: { taskId } }),
    );
    expect([claimed.code, claimed.message]).toEqual([
      'CONFLICT',
      `taskId: task ${taskId} is already claimed by staff judge-09`,
    ]);
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' }); // completes the task
    const done = rejectionOf(() =>
      validateTaskCommand(state, 'completeTask', { commandId: newCommandId(), actor: AS.JUDICIARY, args: { taskId } }),
    );
    expect([done.code, done.message]).toEqual(['CONFLICT', `taskId: task ${taskId} is already completed`]);
  });

  it('a claimed task is given back by the one who claimed it, and is open to the agency again', () => {
    const state = caseAt('INVESTIGATION');
    const taskId = state.warrants['W-1']!.taskId;
    const as = (actor: object) => ({ commandId: newCommandId(), actor, args: { taskId } });
    const notClaimed = rejectionOf(() => validateTaskCommand(state, 'unclaimTask', as(AS.JUDICIARY)));
    expect([notClaimed.code, notClaimed.message]).toEqual(['CONFLICT', `taskId: task ${taskId} is not claimed`]);
    decideTaskCommand(state, 'claimTask', as(AS.JUDICIARY), NOW);
    const other = { agency: 'JUDICIARY', staffId: 'judge-10', roles: ['judge'] };
    const before = structuredClone(state);
    const notTheirs = rejectionOf(() => validateTaskCommand(state, 'unclaimTask', as(other)));
    expect([notTheirs.code, notTheirs.message]).toEqual([
      'NOT_PERMITTED',
      `taskId: task ${taskId} is claimed by staff judge-09: only they can unclaim it`,
    ]);
    expect(state).toEqual(before);
    const seq = state.outbox.length;
    const { task } = decideTaskCommand(state, 'unclaimTask', as(AS.JUDICIARY), NOW);
    expect(task).toMatchObject({ id: taskId, status: 'open' });
    expect(task.staffId).toBeUndefined();
    expect(state.outbox.slice(seq).map((e) => e.type)).toEqual(['task-unclaimed']);
    // Open again: anyone of the agency may claim it now.
    expect(decideTaskCommand(state, 'claimTask', as(other), NOW).task).toMatchObject({ staffId: 'judge-10' });
  });

  it('the validator never mutates: a command that passes validation can still be executed once', () => {
    const state = caseAt('OPERATION');
    const before = structuredClone(state);
    for (let i = 0; i < 3; i++)
      validateCaseCommand(
        state,
        'recordArrest',
        {
          commandId: newCommandId(),
          actor: AS.POLICE,
          args: { suspectRef: 'S-2', offenceClass: 'other', warrantRef: 'W-2' },
        },
        NOW,
      );
    expect(state).toEqual(before);
    executeCaseCommand(
      state,
      'recordArrest',
      {
        commandId: newCommandId(),
        actor: AS.POLICE,
        args: { suspectRef: 'S-2', offenceClass: 'other', warrantRef: 'W-2' },
      },
      NOW,
    );
    expect(Object.keys(state.arrests)).toEqual(['A-1']);
  });
});

describe('defects found by these tests, now fixed', () => {
  // A validFor/extendBy beyond the Date range used to pass the validator and then throw a RangeError
  // in the handler, failing the workflow task: durations are now capped at 3650d.
  it('approveWarrant refuses a validity beyond the representable date range (validFor: 100000000d)', () => {
    const state = caseAt('INVESTIGATION');
    refuse(
      state,
      'approveWarrant',
      AS.JUDICIARY,
      { warrantRef: 'W-1', validFor: '100000000d' },
      'INVALID_ARGUMENTS',
      /validFor/,
    );
  });

  it('extendDetention refuses an extension beyond the representable date range (extendBy: 100000000d)', () => {
    const state = caseAt('DETENTION');
    refuse(
      state,
      'extendDetention',
      AS.JUDICIARY,
      { arrestRef: 'A-1', extendBy: '100000000d' },
      'INVALID_ARGUMENTS',
      /extendBy/,
    );
  });

  it('recordVerdict refuses two contradictory verdicts for the same suspect', () => {
    const state = caseAt('TRIAL');
    const verdicts = [
      { suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 120 },
      { suspectRef: 'S-1', outcome: 'acquitted' },
    ];
    const refusal = rejectionOf(() =>
      validateCaseCommand(
        state,
        'recordVerdict',
        { commandId: newCommandId(), actor: AS.JUDICIARY, args: { verdicts } },
        NOW,
      ),
    );
    expect([refusal.code, refusal.message]).toEqual([
      'INVALID_ARGUMENTS',
      'args.verdicts: must not give two verdicts for one defendant',
    ]);
  });
});
