/**
 * The lifecycle is declared once, by the stage move of each command (src/domain/commands/*.ts), and
 * everything else is derived from or checked against it: the stage machine (src/domain/lifecycle.ts),
 * the permission matrix's stages (src/domain/permissions.ts), the catalogue's lifecycle table and the
 * README's diagram (domain-generated.test.ts).
 */
import { lifecycle } from '../../src/domain/catalogue';
import { CASE_COMMAND_DEFS, CASE_COMMAND_NAMES } from '../../src/domain/commands/registry';
import { lifecycleMermaid, reachableStages, stageMachine, transitions } from '../../src/domain/lifecycle';
import { PERMISSIONS, type CaseCommandName } from '../../src/domain/permissions';
import { FINAL_STAGES, STAGES, type Stage } from '../../src/domain/stages';
import type { CaseState } from '../../src/domain/state';
import { executeCaseCommand } from '../../src/domain/commands';
import { AS, NOW, caseAt, lastEvent, openCase, run } from './domain-fixtures';

it('the stage machine is the moves the commands declare', () => {
  expect(transitions().map((t) => `${t.from} → ${t.to}: ${t.command}`)).toEqual([
    'INTAKE → INVESTIGATION: startInvestigation',
    'INTAKE → ARCHIVED: archiveCase',
    'INVESTIGATION → OPERATION: planRaid',
    'INVESTIGATION → PROSECUTION: fileCharges',
    'INVESTIGATION → ARCHIVED: archiveCase',
    'OPERATION → DETENTION: recordArrest',
    'OPERATION → PROSECUTION: fileCharges',
    'DETENTION → PROSECUTION: fileCharges',
    'PROSECUTION → TRIAL: openTrial',
    'TRIAL → JUDGMENT: recordVerdict',
    'TRIAL → JUDGMENT: severDefendant',
    'JUDGMENT → CLOSED: closeCase',
  ]);
  expect(stageMachine()).toEqual({
    INTAKE: ['INVESTIGATION', 'ARCHIVED'],
    INVESTIGATION: ['OPERATION', 'PROSECUTION', 'ARCHIVED'],
    OPERATION: ['DETENTION', 'PROSECUTION'],
    DETENTION: ['PROSECUTION'],
    PROSECUTION: ['TRIAL'],
    TRIAL: ['JUDGMENT'],
    JUDGMENT: ['CLOSED'],
    CLOSED: [],
    ARCHIVED: [],
  });
});

it('stages only move forward, and every stage is reached from INTAKE', () => {
  for (const { from, to } of transitions()) expect(STAGES.indexOf(to)).toBeGreaterThan(STAGES.indexOf(from));
  expect(reachableStages()).toEqual([...STAGES]);
});

it('every stage but the final ones has a way out; the final ones have none', () => {
  const machine = stageMachine();
  for (const stage of STAGES)
    expect([stage, machine[stage].length > 0]).toEqual([stage, !FINAL_STAGES.includes(stage)]);
});

describe('the permission matrix against the lifecycle', () => {
  it.each(CASE_COMMAND_NAMES)('%s may be sent in every stage it moves from', (name) => {
    const move = CASE_COMMAND_DEFS[name].move;
    for (const from of move?.from ?? []) expect(PERMISSIONS[name].stages).toContain(from);
  });

  it('no command is permitted in a final stage, or in a stage no case can reach', () => {
    const reachable = reachableStages();
    for (const name of CASE_COMMAND_NAMES) {
      for (const stage of PERMISSIONS[name].stages) {
        expect([name, stage, reachable.includes(stage) && !FINAL_STAGES.includes(stage)]).toEqual([name, stage, true]);
      }
    }
  });

  it('each non-final stage permits a command that moves the case on', () => {
    for (const stage of STAGES.filter((s) => !FINAL_STAGES.includes(s))) {
      const leaving = transitions().filter(
        (t) => t.from === stage && (PERMISSIONS[t.command].stages as readonly Stage[]).includes(stage),
      );
      expect([stage, leaving.length > 0]).toEqual([stage, true]);
    }
  });
});

/** A case on trial with two defendants: S-1 convicted (its appeal window runs), S-2 awaiting a verdict. */
function twoDefendantsOneJudged(): CaseState {
  const state = caseAt('PROSECUTION');
  run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-2'], offences: ['sale-of-children'] });
  run(state, 'openTrial', AS.JUDICIARY);
  run(state, 'recordVerdict', AS.JUDICIARY, {
    verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 120 }],
  });
  return state;
}

/** A case in `from`, and the command that moves it, with arguments the fixture case makes valid. */
const MOVES: Record<string, () => { state: CaseState; name: CaseCommandName; args: object; actor: typeof AS.POLICE }> =
  {
    'INTAKE → INVESTIGATION: startInvestigation': () => ({
      state: openCase(),
      name: 'startInvestigation',
      args: {},
      actor: AS.PROSECUTION,
    }),
    'INTAKE → ARCHIVED: archiveCase': () => ({
      state: openCase(),
      name: 'archiveCase',
      args: { reason: 'no-offence' },
      actor: AS.PROSECUTION,
    }),
    'INVESTIGATION → OPERATION: planRaid': () => {
      const state = caseAt('INVESTIGATION');
      run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
      return { state, name: 'planRaid', args: { locationRefs: ['L-1'] }, actor: AS.POLICE };
    },
    'INVESTIGATION → PROSECUTION: fileCharges': () => ({
      state: caseAt('INVESTIGATION'),
      name: 'fileCharges',
      args: { suspectRefs: ['S-1'], offences: ['sale-of-children'] },
      actor: AS.PROSECUTION,
    }),
    'INVESTIGATION → ARCHIVED: archiveCase': () => ({
      state: caseAt('INVESTIGATION'),
      name: 'archiveCase',
      args: { reason: 'merged' },
      actor: AS.PROSECUTION,
    }),
    'OPERATION → DETENTION: recordArrest': () => ({
      state: caseAt('OPERATION'),
      name: 'recordArrest',
      args: { suspectRef: 'S-2', offenceClass: 'child-sale', warrantRef: 'W-2' },
      actor: AS.POLICE,
    }),
    'OPERATION → PROSECUTION: fileCharges': () => ({
      state: caseAt('OPERATION'),
      name: 'fileCharges',
      args: { suspectRefs: ['S-1'], offences: ['human-trafficking'] },
      actor: AS.PROSECUTION,
    }),
    'DETENTION → PROSECUTION: fileCharges': () => ({
      state: caseAt('DETENTION'),
      name: 'fileCharges',
      args: { suspectRefs: ['S-1'], offences: ['organized-crime'] },
      actor: AS.PROSECUTION,
    }),
    'PROSECUTION → TRIAL: openTrial': () => ({
      state: caseAt('PROSECUTION'),
      name: 'openTrial',
      args: {},
      actor: AS.JUDICIARY,
    }),
    'TRIAL → JUDGMENT: recordVerdict': () => ({
      state: caseAt('TRIAL'),
      name: 'recordVerdict',
      args: { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] },
      actor: AS.JUDICIARY,
    }),
    'TRIAL → JUDGMENT: severDefendant': () => ({
      state: twoDefendantsOneJudged(),
      name: 'severDefendant',
      args: { suspectRef: 'S-2', reason: 'fugitive' },
      actor: AS.JUDICIARY,
    }),
    'JUDGMENT → CLOSED: closeCase': () => {
      const state = caseAt('JUDGMENT');
      run(state, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] });
      return { state, name: 'closeCase', args: {}, actor: AS.PROSECUTION };
    },
  };

describe('every declared move happens, made by the executor before the command applies', () => {
  it('has a scenario for every move', () => {
    expect(Object.keys(MOVES).sort()).toEqual(
      transitions()
        .map((t) => `${t.from} → ${t.to}: ${t.command}`)
        .sort(),
    );
  });

  it.each(transitions().map((t) => [`${t.from} → ${t.to}: ${t.command}`, t.command] as const))('%s', (key, command) => {
    const { state, name, args, actor } = MOVES[key]!();
    const [from, to] = key.split(': ')[0]!.split(' → ') as [Stage, Stage];
    expect([state.stage, name]).toEqual([from, command]);
    const events = state.outbox.length;
    run(state, name, actor, args);
    expect(state.stage).toBe(to);
    expect(state.stageHistory.at(-1)?.stage).toBe(to);
    // stage-changed is the command's first event, attributed to whoever sent it.
    const first = state.outbox[events]!;
    expect([first.type, first.data, first.by?.agency]).toEqual(['stage-changed', { from, to }, actor.agency]);
    expect(lastEvent(state, 'stage-changed').data).toEqual({ from, to });
  });
});

it('a command in a stage of its row that it does not move from leaves the stage alone', () => {
  const state = caseAt('PROSECUTION');
  run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-2'], offences: ['illegal-abortion'] });
  expect(state.stage).toBe('PROSECUTION');
  const detention = caseAt('DETENTION');
  run(detention, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'child-sale', warrantRef: 'W-2' });
  expect(detention.stage).toBe('DETENTION');
});

it('a verdict moves the case to JUDGMENT only once no defendant awaits one; a severance counts as decided', () => {
  const state = twoDefendantsOneJudged();
  expect(state.stage).toBe('TRIAL');
  expect(eventTypesOf(state)).not.toContain('TRIAL→JUDGMENT');
  run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-2', outcome: 'acquitted' }] });
  expect(state.stage).toBe('JUDGMENT');

  // Severing every defendant before any verdict leaves the case on trial: there is no judgment yet.
  const severedOnly = caseAt('TRIAL');
  run(severedOnly, 'severDefendant', AS.JUDICIARY, { suspectRef: 'S-1', reason: 'fugitive' });
  expect(severedOnly.stage).toBe('TRIAL');
  run(severedOnly, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'dismissed' }] });
  expect(severedOnly.stage).toBe('JUDGMENT');
});

it('replaying a history from before verdicts per defendant: any verdict moved the case on, and was final', () => {
  const state = caseAt('PROSECUTION');
  run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-2'], offences: ['sale-of-children'] });
  run(state, 'openTrial', AS.JUDICIARY);
  const before = (change: string) => change !== 'verdicts-per-defendant';
  executeCaseCommand(
    state,
    'recordVerdict',
    {
      actor: AS.JUDICIARY,
      args: { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] },
      commandId: 'recorded-cmd-1',
    },
    NOW,
    before,
  );
  expect(state.stage).toBe('JUDGMENT');
  expect(state.defendants['S-1']).toMatchObject({ status: 'final' });
  expect(state.deadlines.filter((d) => d.kind === 'appeal-window')).toEqual([]);
});

function eventTypesOf(state: CaseState): string[] {
  return state.outbox.filter((e) => e.type === 'stage-changed').map((e) => `${e.data.from}→${e.data.to}`);
}

it("each command's declared reference is a field of its result, and the timeline shows it", () => {
  const state = caseAt('DETENTION');
  run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-1'], offences: ['organized-crime'] });
  const refs = new Map(state.timeline.map((e) => [e.type, e.ref]));
  expect(Object.fromEntries(refs)).toMatchObject({
    openCase: undefined,
    startInvestigation: undefined,
    addSuspect: 'S-2',
    addVictim: 'V-2',
    addWitness: 'WT-1',
    addLocation: 'L-3',
    requestWarrant: 'W-2',
    approveWarrant: 'W-2',
    planRaid: 'R-1',
    recordArrest: 'A-1',
    recordSeizure: 'E-1',
    fileCharges: 'C-1',
  });
  for (const name of CASE_COMMAND_NAMES) {
    const ref = CASE_COMMAND_DEFS[name].ref;
    if (ref !== undefined) expect([name, ref]).toEqual([name, expect.stringMatching(/Ref$/)]);
  }
});

it('the catalogue prints the same lifecycle, opening included, with who may make each move', () => {
  const rows = lifecycle();
  expect(rows[0]).toEqual({
    from: '(new case)',
    to: 'INTAKE',
    command: 'openCase',
    who: 'PROSECUTION (a prosecutor, a coordinating prosecutor)',
  });
  expect(rows.slice(1).map(({ from, to, command }) => ({ from, to, command }))).toEqual(transitions());
  expect(rows.find((r) => r.command === 'openTrial')?.who).toBe('JUDICIARY (a judge)');
});

it('the diagram has every move and ends in the final stages', () => {
  const diagram = lifecycleMermaid();
  expect(diagram.split('\n')[0]).toBe('stateDiagram-v2');
  for (const t of transitions()) expect(diagram).toContain(`  ${t.from} --> ${t.to}: ${t.command}`);
  for (const stage of FINAL_STAGES) expect(diagram).toContain(`  ${stage} --> [*]`);
});
