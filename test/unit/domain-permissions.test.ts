/**
 * The permission matrix (src/domain/permissions.ts), row by row. For every command: each agency not
 * in its row is refused with NOT_PERMITTED in a stage where the command is otherwise fine; each agency
 * in its row gets past the matrix; and the command is refused with WRONG_STAGE in every stage not in
 * its row, but not in any stage of its row.
 */
import { AGENCIES, type Agency } from '../../src/domain/agencies';
import { validateCaseCommand } from '../../src/domain/commands';
import { CommandRejected } from '../../src/domain/errors';
import { PERMISSIONS, type CaseCommandName } from '../../src/domain/permissions';
import { STAGES, type Stage } from '../../src/domain/stages';
import { AS, NOW, caseAt, refuse } from './domain-fixtures';

/** For each command, a stage of its row where the fixture case makes these arguments valid. */
const VALID: Record<CaseCommandName, { stage: Stage; args: Record<string, unknown> }> = {
  startInvestigation: { stage: 'INTAKE', args: {} },
  assignProsecutor: { stage: 'INTAKE', args: { staffId: 'fiscal-coord-003' } },
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
    args: { suspectRef: 'S-2', offenceClass: 'child-sale', raidRef: 'R-1', locationRef: 'L-2' },
  },
  extendDetention: { stage: 'DETENTION', args: { arrestRef: 'A-1', extendBy: '2d' } },
  endDetention: { stage: 'DETENTION', args: { arrestRef: 'A-1', outcome: 'remanded' } },
  recordSeizure: {
    stage: 'OPERATION',
    args: { kind: 'phone', description: 'two phones', raidRef: 'R-1', locationRef: 'L-2' },
  },
  transferCustody: { stage: 'DETENTION', args: { itemRef: 'E-1', to: AS.PROSECUTION, reason: 'court-exhibit' } },
  rescueMinor: {
    stage: 'OPERATION',
    args: { victimRef: 'V-1', custodyRef: 'MIMP-CAR-07', raidRef: 'R-1', locationRef: 'L-2' },
  },
  fileCharges: { stage: 'DETENTION', args: { suspectRefs: ['S-1'], offences: ['organized-crime'] } },
  openTrial: { stage: 'PROSECUTION', args: {} },
  scheduleHearing: { stage: 'PROSECUTION', args: { kind: 'preliminary', at: '2026-12-15T09:00:00Z' } },
  recordVerdict: {
    stage: 'TRIAL',
    args: { verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 300 }] },
  },
  closeCase: { stage: 'JUDGMENT', args: {} },
  archiveCase: { stage: 'INVESTIGATION', args: { reason: 'insufficient-evidence' } },
};

const COMMANDS = Object.keys(PERMISSIONS) as CaseCommandName[];
const MATRIX_REFUSAL = /may not do this \(allowed: /;

/** Runs the validator; returns the refusal, or undefined when the command is accepted. */
function attempt(name: CaseCommandName, agency: Agency, stage: Stage, args: unknown): CommandRejected | undefined {
  try {
    validateCaseCommand(caseAt(stage), name, { actor: AS[agency], args }, NOW);
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
  const row = PERMISSIONS[name];
  const { stage, args } = VALID[name];
  const outsiders = AGENCIES.filter((a) => !(row.agencies as readonly Agency[]).includes(a));
  const wrongStages = STAGES.filter((s) => !(row.stages as readonly Stage[]).includes(s));

  it(`is accepted from ${row.agencies[0]} in ${stage} with valid arguments`, () => {
    expect(attempt(name, row.agencies[0]!, stage, args)).toBeUndefined();
  });

  if (outsiders.length > 0) {
    it.each(outsiders)(`is refused to %s with NOT_PERMITTED (allowed: ${row.agencies.join(', ')})`, (agency) => {
      refuse(
        caseAt(stage),
        name,
        AS[agency],
        args,
        'NOT_PERMITTED',
        new RegExp(`^${name}: ${agency} may not do this \\(allowed: ${row.agencies.join(', ')}\\)$`),
      );
    });
  }

  it.each([...row.agencies])('lets %s past the matrix', (agency) => {
    const refusal = attempt(name, agency, stage, args);
    // transferCustody has a second rule: only the current holder agency (here POLICE) may transfer.
    if (refusal) expect(refusal.message).not.toMatch(MATRIX_REFUSAL);
  });

  if (wrongStages.length > 0) {
    it.each(wrongStages)('is refused in %s with WRONG_STAGE', (wrong) => {
      const refusal = attempt(name, row.agencies[0]!, wrong, args);
      expect(refusal?.code).toBe('WRONG_STAGE');
      expect(refusal?.message).toMatch(new RegExp(`^${name}: not allowed while the case is ${wrong} `));
    });
  }

  it.each([...row.stages])('is not refused for its stage in %s', (allowed) => {
    expect(attempt(name, row.agencies[0]!, allowed, args)?.code).not.toBe('WRONG_STAGE');
  });
});
