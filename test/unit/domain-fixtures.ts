/**
 * Shared helpers for the pure-domain specifications (test/unit/domain-*.test.ts and
 * property-*.test.ts): a case opened at a fixed instant, actors of every agency, a builder that drives
 * a case to any stage through real commands, and refusal helpers that also prove a refusal left the
 * state untouched.
 */
import { rolesOf, type Actor, type Agency } from '../../src/domain/agencies';
import { PERMISSIONS, type CaseCommandName } from '../../src/domain/permissions';
import { OpenCaseInput } from '../../src/domain/case';
import { openCaseState } from '../../src/domain/case-state';
import { decideCaseCommand, validateCaseCommand, type Outcome } from '../../src/domain/commands';
import { CommandRejected, type RejectionCode } from '../../src/domain/errors';
import { resolvePolicy, type DeadlinePolicy } from '../../src/domain/policy';
import type { Stage } from '../../src/domain/stages';
import type { CaseState } from '../../src/domain/state';

/** Every case in these tests opens at this instant (the reference raid: an early morning). */
export const NOW = Date.parse('2026-11-28T05:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** One person of each agency, in that agency's lead role (as the gateway builds them from tokens). */
export const AS: Record<Agency, Actor> = {
  PROSECUTION: { agency: 'PROSECUTION', staffId: 'fiscal-017', roles: ['prosecutor'], subject: 'u-fiscal-017' },
  POLICE: { agency: 'POLICE', staffId: 'op-commander-21', roles: ['police-officer'], subject: 'u-op-21' },
  JUDICIARY: { agency: 'JUDICIARY', staffId: 'judge-09', roles: ['judge'], subject: 'u-judge-09' },
  CHILD_PROTECTION: {
    agency: 'CHILD_PROTECTION',
    staffId: 'mimp-social-12',
    roles: ['social-worker'],
    subject: 'u-social-12',
  },
  OVERSIGHT: { agency: 'OVERSIGHT', staffId: 'integrity-02', roles: ['oversight-investigator'], subject: 'u-int-02' },
  PARTNER: { agency: 'PARTNER', staffId: 'partner-01', roles: ['partner-analyst'], subject: 'u-partner-01' },
};
export const COORDINATOR: Actor = {
  agency: 'PROSECUTION',
  staffId: 'fiscal-coord-003',
  roles: ['coordinating-prosecutor'],
  subject: 'u-coord-003',
};
export const CLERK: Actor = { agency: 'JUDICIARY', staffId: 'clerk-4', roles: ['court-clerk'], subject: 'u-clerk-4' };

let commandSeq = 0;
/** A fresh command id, as the client generates one per command. */
export function newCommandId(): string {
  commandSeq += 1;
  return `test-cmd-${String(commandSeq).padStart(6, '0')}`;
}

/** Invented personal data put into the fixture case. None of it may leave the state. */
export const PERSONAL = {
  suspectLeader: 'Maritza Ocampo Rivas',
  suspectDoctor: 'Ernesto Salinas Prado',
  minorVictim: 'Luciana Quispe Mamani',
  adultVictim: 'Rosa Mamani Condori',
  witness: 'Teodoro Huaman Vilca',
  address1: 'Jr. Privado 101, dpto 3',
  address2: 'Av. Escondida 2040',
  address3: 'Calle Reservada 77',
  summary: 'Ring paying pregnant women in distress to give up newborns, then selling the babies.',
} as const;
export const PERSONAL_STRINGS: readonly string[] = Object.values(PERSONAL);

export const CASE_ID = 'PE-LIM-2026-0042';

/** A seconds-scale policy: every clock of the case fits in a test. */
export const FAST_POLICY: DeadlinePolicy = resolvePolicy({
  detention: {
    limit: {
      trafficking: '10s',
      'organized-crime': '20s',
      'child-sale': '10s',
      'illegal-abortion': '10s',
      other: '10s',
    },
    warnBefore: '3s',
    extension: '30s',
  },
  warrantValidity: '60s',
  raidReportWindow: '30s',
  chargeFilingWindow: '1h',
  childProtection: { referralAcceptance: '5s', medicalExam: '10s', placement: '20s', carePlan: '40s' },
  task: { defaultDue: '8s', remindBefore: '3s' },
});

export function openCase(options: { policy?: DeadlinePolicy; now?: number } = {}): CaseState {
  const input = OpenCaseInput.parse({
    caseId: CASE_ID,
    codename: 'CUNA',
    jurisdiction: 'PE-LIM',
    crimeTypes: ['human-trafficking', 'sale-of-children'],
    priority: 'urgent',
    leadProsecutor: { staffId: 'fiscal-017' },
    summary: PERSONAL.summary,
  });
  return openCaseState(input, options.now ?? NOW, options.policy);
}

/** Runs a command that must succeed; returns its outcome. */
export function run(state: CaseState, name: string, actor: Actor, args: unknown = {}, now: number = NOW): Outcome {
  return decideCaseCommand(state, name, { actor, args, commandId: newCommandId() }, now);
}

/** The CommandRejected that `fn` throws; fails the test if it throws nothing or something else. */
export function rejectionOf(fn: () => unknown): CommandRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandRejected) return err;
    throw new Error(`expected a CommandRejected, got ${String(err)}`);
  }
  throw new Error('expected a CommandRejected, but the command was accepted');
}

/**
 * Asserts that validating AND executing the command are refused with `code` and a message matching
 * `message`, and that the state is deep-equal to what it was before.
 */
export function expectRefused(
  state: CaseState,
  name: string,
  input: { actor: unknown; args?: unknown; commandId?: string },
  code: RejectionCode,
  message: RegExp,
  now: number = NOW,
): CommandRejected {
  const before = structuredClone(state);
  // A malformed envelope (null, a string) is sent as it is; a well-formed one gets a fresh command id.
  const withId = typeof input === 'object' && input !== null ? { commandId: newCommandId(), ...input } : input;
  const byValidator = rejectionOf(() => validateCaseCommand(state, name, withId, now));
  expect({ code: byValidator.code, message: byValidator.message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
  const byDecider = rejectionOf(() => decideCaseCommand(state, name, withId, now));
  expect(byDecider.code).toBe(code);
  expect(state).toEqual(before);
  return byValidator;
}

/** Shorthand: `refuse(state, 'planRaid', AS.POLICE, {...})` → expectations on code and message. */
export function refuse(
  state: CaseState,
  name: string,
  actor: Actor,
  args: unknown,
  code: RejectionCode,
  message: RegExp,
  now: number = NOW,
): CommandRejected {
  return expectRefused(state, name, { actor, args }, code, message, now);
}

/** A person allowed to issue `name` by the permission matrix (its first agency, first role). */
export function permittedActor(name: CaseCommandName): Actor {
  const [agency, roles] = Object.entries(PERMISSIONS[name].who)[0] as [Agency, readonly string[] | 'any'];
  const role = (roles === 'any' ? rolesOf(agency)[0] : roles[0]) as Actor['roles'][number];
  if (agency === 'PROSECUTION' && role === 'prosecutor') return AS.PROSECUTION;
  if (agency === 'PROSECUTION') return COORDINATOR;
  if (agency === 'JUDICIARY' && role === 'judge') return AS.JUDICIARY;
  return AS[agency].roles.includes(role) ? AS[agency] : { agency, staffId: `${role}-1`, roles: [role] };
}

/**
 * The fixture case, driven through real commands to `stage`. What each stage adds:
 * - INVESTIGATION: suspects S-1 (leader), S-2 (medical); victims V-1 (minor, 5 months), V-2 (adult);
 *   witness WT-1; locations L-1, L-2, L-3; search warrant W-1 over L-1, L-2 requested (pending).
 * - OPERATION: W-1 approved; arrest warrant W-2 over S-1 and S-2 approved; police staff op-commander-21
 *   cleared; raid R-1 planned over L-1 and L-2.
 * - DETENTION: S-1 arrested under W-2 at L-1 in R-1 (A-1, held); cash seized at L-1 (E-1, held by POLICE).
 * - PROSECUTION: charges C-1 against S-1 (the one defendant).
 * - TRIAL: A-1 remanded; trial opened.
 * - JUDGMENT: S-1 convicted; the appeal window runs.
 * - CLOSED: appeal waived (the judgment final), closed. ARCHIVED: archived straight from INVESTIGATION.
 */
export function caseAt(stage: Stage, options: { policy?: DeadlinePolicy; now?: number } = {}): CaseState {
  const now = options.now ?? NOW;
  const state = openCase(options);
  const go = (name: string, actor: Actor, args: unknown = {}) => run(state, name, actor, args, now);
  if (stage === 'INTAKE') return state;

  go('startInvestigation', AS.PROSECUTION);
  go('addSuspect', AS.PROSECUTION, { name: PERSONAL.suspectLeader, roles: ['leader'] });
  go('addSuspect', AS.POLICE, { name: PERSONAL.suspectDoctor, roles: ['medical'] });
  go('addVictim', AS.POLICE, { name: PERSONAL.minorVictim, minor: true, ageMonths: 5, sex: 'female' });
  go('addVictim', AS.PROSECUTION, { name: PERSONAL.adultVictim, minor: false, sex: 'female' });
  go('addWitness', AS.PROSECUTION, { name: PERSONAL.witness, protected: true });
  go('addLocation', AS.POLICE, { kind: 'home', district: 'Cercado', address: PERSONAL.address1 });
  go('addLocation', AS.POLICE, { kind: 'business', district: 'San Juan de Lurigancho', address: PERSONAL.address2 });
  go('addLocation', AS.POLICE, { kind: 'clinic', district: 'Cercado', address: PERSONAL.address3 });
  go('requestWarrant', AS.PROSECUTION, { kind: 'search', locationRefs: ['L-1', 'L-2'] });
  if (stage === 'INVESTIGATION') return state;
  if (stage === 'ARCHIVED') {
    go('archiveCase', AS.PROSECUTION, { reason: 'insufficient-evidence' });
    return state;
  }

  go('approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
  go('requestWarrant', AS.PROSECUTION, { kind: 'arrest', suspectRefs: ['S-1', 'S-2'] });
  go('approveWarrant', AS.JUDICIARY, { warrantRef: 'W-2' });
  // A vetted police unit, cleared in advance should POLICE ever be restricted on the case.
  go('clearStaff', AS.PROSECUTION, { agency: 'POLICE', staffId: 'op-commander-21' });
  go('planRaid', AS.POLICE, { locationRefs: ['L-1', 'L-2'] });
  if (stage === 'OPERATION') return state;

  go('recordArrest', AS.POLICE, {
    suspectRef: 'S-1',
    offenceClass: 'organized-crime',
    warrantRef: 'W-2',
    raidRef: 'R-1',
    locationRef: 'L-1',
  });
  go('recordSeizure', AS.POLICE, {
    kind: 'cash',
    description: 'about USD 30,000 in cash',
    raidRef: 'R-1',
    locationRef: 'L-1',
  });
  if (stage === 'DETENTION') return state;

  go('fileCharges', AS.PROSECUTION, { suspectRefs: ['S-1'], offences: ['human-trafficking', 'sale-of-children'] });
  if (stage === 'PROSECUTION') return state;

  go('endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' });
  go('openTrial', AS.JUDICIARY);
  if (stage === 'TRIAL') return state;

  go('recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 180 }] });
  if (stage === 'JUDGMENT') return state;

  go('waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] });
  go('closeCase', AS.PROSECUTION);
  return state;
}

/** The event types in a state's outbox, in order. */
export function eventTypes(state: CaseState): string[] {
  return state.outbox.map((e) => e.type);
}

/** The last event of a type in the outbox (fails the test if there is none). */
export function lastEvent(state: CaseState, type: string) {
  const found = [...state.outbox].reverse().find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} event in the outbox (have: ${eventTypes(state).join(', ')})`);
  return found;
}
