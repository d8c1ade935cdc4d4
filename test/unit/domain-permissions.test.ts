/**
 * The permission matrix (src/domain/permissions.ts), row by row. For every command: each agency not
 * in its row is refused with NOT_PERMITTED in a stage where the command is otherwise fine; each agency
 * in its row gets past the matrix; and the command is refused with WRONG_STAGE in every stage not in
 * its row, but not in any stage of its row.
 */
import { AGENCIES, rolesOf, type Actor } from '../../src/domain/agencies';
import { validateCaseCommand } from '../../src/domain/commands';
import { CommandRejected } from '../../src/domain/errors';
import {
  describeWho,
  isAllowed,
  PERMISSIONS,
  type CaseCommandName,
  type Permission,
} from '../../src/domain/permissions';
import { STAGES, type Stage } from '../../src/domain/stages';
import type { CaseState } from '../../src/domain/state';
import { AS, CLERK, COORDINATOR, NOW, caseAt, newCommandId, permittedActor, refuse, run } from './domain-fixtures';

/**
 * For each command, a stage of its row where the fixture case makes these arguments valid (after `setup`,
 * for commands that need a step the fixture does not take).
 */
const VALID: Record<CaseCommandName, { stage: Stage; args: Record<string, unknown>; setup?: (s: CaseState) => void }> =
  {
    startInvestigation: { stage: 'INTAKE', args: {} },
    assignProsecutor: { stage: 'INTAKE', args: { staffId: 'fiscal-coord-003' } },
    clearStaff: { stage: 'INVESTIGATION', args: { agency: 'POLICE', staffId: 'pol-204' } },
    revokeClearance: { stage: 'OPERATION', args: { agency: 'POLICE', staffId: 'op-commander-21' } },
    addSuspect: { stage: 'INVESTIGATION', args: { name: 'Nombre Inventado', roles: ['broker'] } },
    addVictim: { stage: 'INVESTIGATION', args: { minor: true, ageMonths: 3, sex: 'male' } },
    addWitness: { stage: 'INVESTIGATION', args: { name: 'Testigo Inventado' } },
    addLocation: { stage: 'INVESTIGATION', args: { kind: 'home', district: 'Cercado' } },
    requestWarrant: { stage: 'INVESTIGATION', args: { kind: 'search', locationRefs: ['L-3'] } },
    approveWarrant: { stage: 'INVESTIGATION', args: { warrantRef: 'W-1' } },
    denyWarrant: { stage: 'INVESTIGATION', args: { warrantRef: 'W-1', reason: 'defective' } },
    planRaid: { stage: 'OPERATION', args: { locationRefs: ['L-1'] } },
    reportLocation: { stage: 'OPERATION', args: { raidRef: 'R-1', locationRef: 'L-2', outcome: 'secured' } },
    recordArrest: {
      stage: 'OPERATION',
      args: { suspectRef: 'S-2', offenceClass: 'child-sale', warrantRef: 'W-2', raidRef: 'R-1', locationRef: 'L-2' },
    },
    confirmArrest: {
      stage: 'DETENTION',
      args: { arrestRef: 'A-2' },
      setup: (s) => run(s, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'other', inFlagrante: true }),
    },
    extendDetention: { stage: 'DETENTION', args: { arrestRef: 'A-1', extendBy: '2d' } },
    endDetention: { stage: 'DETENTION', args: { arrestRef: 'A-1', outcome: 'remanded' } },
    recordSeizure: {
      stage: 'OPERATION',
      args: { kind: 'phone', description: 'two phones', raidRef: 'R-1', locationRef: 'L-2' },
    },
    transferCustody: {
      stage: 'DETENTION',
      args: { itemRef: 'E-1', to: { agency: 'PROSECUTION', staffId: 'fiscal-017' }, reason: 'court-exhibit' },
    },
    rescueMinor: {
      stage: 'OPERATION',
      args: { victimRef: 'V-1', custodyRef: 'MIMP-CAR-07', raidRef: 'R-1', locationRef: 'L-2' },
    },
    fileCharges: { stage: 'DETENTION', args: { suspectRefs: ['S-1'], offences: ['organized-crime'] } },
    openTrial: { stage: 'PROSECUTION', args: {} },
    scheduleHearing: { stage: 'PROSECUTION', args: { kind: 'preliminary', at: '2026-12-15T09:00:00Z' } },
    recordHearing: { stage: 'PROSECUTION', args: { kind: 'preliminary', at: '2026-11-27T09:00:00Z' } },
    recordVerdict: {
      stage: 'TRIAL',
      args: { verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 300 }] },
    },
    severDefendant: { stage: 'TRIAL', args: { suspectRef: 'S-1', reason: 'fugitive' } },
    lodgeAppeal: { stage: 'JUDGMENT', args: { suspectRef: 'S-1', by: 'prosecution' } },
    decideAppeal: {
      stage: 'JUDGMENT',
      args: { suspectRef: 'S-1', decision: 'upheld' },
      setup: (s) => run(s, 'lodgeAppeal', AS.PROSECUTION, { suspectRef: 'S-1', by: 'prosecution' }),
    },
    waiveAppeal: { stage: 'JUDGMENT', args: { suspectRefs: ['S-1'] } },
    closeCase: {
      stage: 'JUDGMENT',
      args: {},
      setup: (s) => run(s, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] }),
    },
    archiveCase: { stage: 'INVESTIGATION', args: { reason: 'insufficient-evidence' } },
  };

const COMMANDS = Object.keys(PERMISSIONS) as CaseCommandName[];
const MATRIX_REFUSAL = /only .* may do this/;

/** Every (agency, role) pair there is, as a person of that agency in that role. */
const EVERYONE: Actor[] = AGENCIES.flatMap((agency) =>
  rolesOf(agency).map((role) => ({ agency, staffId: `${role}-1`, roles: [role], subject: `u-${role}` })),
);
const label = (a: Actor) => `${a.agency}/${a.roles[0]}`;

/** The fixture case in `stage`, with the command's setup when it is the stage of its valid example. */
function stateFor(name: CaseCommandName, stage: Stage): CaseState {
  const state = caseAt(stage);
  if (stage === VALID[name].stage) VALID[name].setup?.(state);
  return state;
}

/** Runs the validator; returns the refusal, or undefined when the command is accepted. */
function attempt(name: CaseCommandName, actor: Actor, stage: Stage, args: unknown): CommandRejected | undefined {
  try {
    validateCaseCommand(stateFor(name, stage), name, { actor, args, commandId: newCommandId() }, NOW);
    return undefined;
  } catch (err) {
    if (err instanceof CommandRejected) return err;
    throw err;
  }
}

it('every command of the matrix has a valid example here, in a stage of its row', () => {
  expect(Object.keys(VALID).sort()).toEqual([...COMMANDS].sort());
  for (const name of COMMANDS) expect(PERMISSIONS[name].stages).toContain(VALID[name].stage);
});

describe.each(COMMANDS)('%s', (name) => {
  const row: Permission = PERMISSIONS[name];
  const { stage, args } = VALID[name];
  const insiders = EVERYONE.filter((a) => isAllowed(row.who, a));
  const outsiders = EVERYONE.filter((a) => !isAllowed(row.who, a));
  const first = permittedActor(name);
  const wrongStages = STAGES.filter((s) => !row.stages.includes(s));

  it(`is accepted from ${label(first)} in ${stage} with valid arguments`, () => {
    expect(attempt(name, first, stage, args)).toBeUndefined();
  });

  it.each(outsiders.map((a) => [label(a), a] as const))(
    `is refused to %s with NOT_PERMITTED, naming who may (${describeWho(row.who)})`,
    (_label, actor) => {
      refuse(
        stateFor(name, stage),
        name,
        actor,
        args,
        'NOT_PERMITTED',
        new RegExp(`^${name}: only .* may do this \\(you: ${actor.agency}, `),
      );
    },
  );

  it.each(insiders.map((a) => [label(a), a] as const))('lets %s past the matrix', (_label, actor) => {
    const refusal = attempt(name, actor, stage, args);
    // transferCustody has a second rule: only the current holder agency (here POLICE) may transfer.
    if (refusal) expect(refusal.message).not.toMatch(MATRIX_REFUSAL);
  });

  if (wrongStages.length > 0) {
    it.each(wrongStages)('is refused in %s with WRONG_STAGE', (wrong) => {
      const refusal = attempt(name, first, wrong, args);
      expect(refusal?.code).toBe('WRONG_STAGE');
      expect(refusal?.message).toMatch(new RegExp(`^${name}: not allowed while the case is ${wrong} `));
    });
  }

  it.each([...row.stages])('is not refused for its stage in %s', (allowed) => {
    expect(attempt(name, first, allowed, args)?.code).not.toBe('WRONG_STAGE');
  });
});

describe('roles matter', () => {
  it('a court clerk may schedule a hearing but not approve a warrant: "only a judge"', () => {
    expect(attempt('scheduleHearing', CLERK, 'PROSECUTION', VALID.scheduleHearing.args)).toBeUndefined();
    refuse(
      caseAt('INVESTIGATION'),
      'approveWarrant',
      CLERK,
      { warrantRef: 'W-1' },
      'NOT_PERMITTED',
      /^approveWarrant: only a judge \(JUDICIARY\) may do this \(you: JUDICIARY, a court clerk\)$/,
    );
  });
  it('a token without any role may do nothing', () => {
    const bare: Actor = { agency: 'PROSECUTION', staffId: 'fiscal-017', roles: [] };
    refuse(caseAt('INTAKE'), 'startInvestigation', bare, {}, 'NOT_PERMITTED', /you: PROSECUTION, no role/);
  });
  it('only the coordinating prosecutor assigns the lead prosecutor', () => {
    refuse(
      caseAt('INTAKE'),
      'assignProsecutor',
      AS.PROSECUTION,
      { staffId: 'fiscal-2' },
      'NOT_PERMITTED',
      /only a coordinating prosecutor \(PROSECUTION\)/,
    );
    expect(attempt('assignProsecutor', COORDINATOR, 'INTAKE', { staffId: 'fiscal-2' })).toBeUndefined();
  });
});
