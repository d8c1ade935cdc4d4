/**
 * Hostile input against the command validators, as properties (fast-check).
 *
 * Reproducible by construction: every property runs with the FIXED seed 20261128 and
 * numRuns = 300 (see SEED and RUNS below), so a run is the same on every machine; a failure prints its
 * counterexample and path. To explore further, change SEED locally (never commit a random seed).
 *
 * What is thrown at the domain: fc.anything() (null-prototype objects, Maps, Sets, Dates, BigInts,
 * typed arrays, sparse arrays, boxed values), deep objects (thousands of levels), huge strings (up to
 * 2 MB), prototype-pollution keys (__proto__, constructor, prototype) as own properties, wrong types,
 * and, most of the time, near-valid arguments built from each command's own fields, so that the
 * preconditions (refs, stages, conflicts) are reached and not only the schemas.
 *
 * The properties:
 * 1. validateCaseCommand, for every command name (300 runs each) and for unknown names: the only
 *    outcomes are success or CommandRejected; the state is deep-equal afterwards, accepted or not; no
 *    rejection message contains a personal string that was put into the state (names of suspects,
 *    victims and witnesses, addresses, the case summary).
 * 2. What the validator accepts, the handler executes without throwing (on a copy of the state).
 * 3. validateTaskCommand (claimTask, unclaimTask, completeTask): the same three guarantees.
 * 4. toAgencyMessages over random events whose data is built from references only: no non-AUDIT
 *    recipient receives a field its view does not allow; AUDIT receives one full copy.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { AGENCIES, rolesOf, type Actor, type Agency } from '../../src/domain/agencies';
import {
  CASE_COMMANDS,
  CASE_COMMAND_NAMES,
  executeCaseCommand,
  onCaseDeadline,
  validateCaseCommand,
} from '../../src/domain/commands';
import { CommandRejected } from '../../src/domain/errors';
import { EVENT_CATALOG, EVENT_TYPES, type EventSpec, type PendingEvent } from '../../src/domain/events';
import { takeDue } from '../../src/domain/deadlines';
import { isAllowed, PERMISSIONS, type CaseCommandName, type Who } from '../../src/domain/permissions';
import { STAGES, type Stage } from '../../src/domain/stages';
import { newOwnerState, type CaseState, type TaskOwnerState } from '../../src/domain/state';
import {
  TASK_COMMANDS,
  TASK_COMMAND_NAMES,
  decideTaskCommand,
  executeTaskCommand,
  validateTaskCommand,
} from '../../src/domain/task-commands';
import { openTask, openTasks } from '../../src/domain/task-ops';
import { toAgencyMessages } from '../../src/domain/views';
import {
  AS,
  CASE_ID,
  FAST_POLICY,
  HOUR,
  NOW,
  PERSONAL,
  PERSONAL_STRINGS,
  SECOND,
  caseAt,
  run,
} from './domain-fixtures';

const SEED = 20261128;
const RUNS = 300;
const PARAMS = { seed: SEED, numRuns: RUNS } as const;

// ---------------------------------------------------------------------------------------------
// The states under attack: the fixture case at every stage, one under conflict-of-interest
// restriction with escalated and claimed tasks, one busy mid-case. All hold personal data (names of
// suspects, victims, a witness; addresses; the case summary) that must never leak.

const OFFICIAL_NAME = 'Aurelio Benavides Tapia';
const SECRET_STRINGS = [...PERSONAL_STRINGS, OFFICIAL_NAME];
const NAMES = [
  PERSONAL.suspectLeader,
  PERSONAL.suspectDoctor,
  PERSONAL.minorVictim,
  PERSONAL.adultVictim,
  PERSONAL.witness,
  OFFICIAL_NAME,
];
/** Single words of the names (Ocampo, Luciana, ...), so that a partial echo would be caught too. */
const SECRET_WORDS = [...new Set(NAMES.flatMap((n) => n.split(' ')))].filter((w) => w.length >= 4);

function restrictedCase(): CaseState {
  const state = caseAt('DETENTION', { policy: FAST_POLICY });
  run(state, 'addSuspect', AS.PROSECUTION, {
    name: OFFICIAL_NAME,
    roles: ['leader'],
    official: { institution: 'police', current: false, rank: 'former chief' },
  });
  run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-3', offenceClass: 'child-sale', inFlagrante: true });
  for (const d of takeDue(state, NOW + 40 * SECOND)) onCaseDeadline(state, d, NOW + 40 * SECOND); // expiries, escalations
  const open = Object.values(state.tasks).find((t) => t.status === 'open' && t.assignee === 'JUDICIARY');
  if (open)
    decideTaskCommand(
      state,
      'claimTask',
      { commandId: 'pool-claim-0001', actor: AS.JUDICIARY, args: { taskId: open.id } },
      NOW + 41 * SECOND,
    );
  return state;
}

/** In detention, with investigation going on: a pending warrant W-2, a suspect still free (S-2). */
function busyCase(): CaseState {
  const state = caseAt('DETENTION');
  run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'search', locationRefs: ['L-3'], suspectRefs: ['S-2'] });
  run(state, 'transferCustody', AS.POLICE, {
    itemRef: 'E-1',
    to: { agency: 'PROSECUTION', staffId: 'fiscal-017' },
    reason: 'court-exhibit',
  });
  return state;
}

/** In detention, with S-2 arrested in flagrante: its judicial review pending. */
function flagranteCase(): CaseState {
  const state = caseAt('DETENTION');
  run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'trafficking', inFlagrante: true });
  return state;
}

/** In judgment: S-1's verdict under appeal, or final. */
function judgedCase(then: 'appealed' | 'final'): CaseState {
  const state = caseAt('JUDGMENT');
  if (then === 'appealed') run(state, 'lodgeAppeal', AS.PROSECUTION, { suspectRef: 'S-1', by: 'prosecution' });
  else run(state, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1'] });
  return state;
}

const POOL: { label: string; state: CaseState; snapshot: CaseState }[] = [
  ...STAGES.map((stage: Stage) => ({ label: stage, state: caseAt(stage) })),
  { label: 'restricted', state: restrictedCase() },
  { label: 'busy', state: busyCase() },
  { label: 'flagrante', state: flagranteCase() },
  { label: 'appealed', state: judgedCase('appealed') },
  { label: 'final', state: judgedCase('final') },
].map((s) => ({ ...s, snapshot: structuredClone(s.state) }));

/** A minor's protection: its tasks are done by hand (completeTask), unlike the case's decision tasks. */
function protection(): TaskOwnerState {
  const state = newOwnerState({
    caseId: CASE_ID,
    workflowId: `case-${CASE_ID}-minor-V-1`,
    policy: FAST_POLICY,
    restrictedAgencies: [],
  });
  for (const kind of ['accept-referral', 'medical-exam']) {
    openTask(
      state,
      {
        kind,
        title: `${kind} for minor V-1`,
        ref: 'V-1',
        assignee: 'CHILD_PROTECTION',
        dueInMs: 5 * SECOND,
        escalateTo: ['OVERSIGHT'],
      },
      NOW,
    );
  }
  return state;
}

/** Task commands run against every owner of tasks: the case pool and a protection workflow. */
const TASK_POOL: { label: string; state: TaskOwnerState; snapshot: TaskOwnerState }[] = [
  ...POOL,
  { label: 'protection', state: protection(), snapshot: structuredClone(protection()) },
];

const TASK_IDS = [...new Set(TASK_POOL.flatMap((p) => Object.keys(p.state.tasks)))];

// ---------------------------------------------------------------------------------------------
// Arbitraries

const huge = fc
  .integer({ min: 10_000, max: 2_000_000 })
  .chain((n) => fc.constantFrom('x', ' ', 'S-1', '9', '\u0000', '🦀').map((c) => c.repeat(Math.ceil(n / c.length))));

/** An own, enumerable property of any name, `__proto__` included (what JSON.parse produces). */
function withOwn(target: object, key: string, value: unknown): Record<string, unknown> {
  return Object.defineProperty({ ...target }, key, { value, enumerable: true, configurable: true, writable: true });
}

const deep = fc.integer({ min: 500, max: 5_000 }).chain((depth) =>
  fc.constantFrom('object', 'array', 'proto').map((shape) => {
    let v: unknown = 'S-1';
    for (let i = 0; i < depth; i++) {
      if (shape === 'array') v = [v];
      else if (shape === 'object') v = { a: v, name: PERSONAL_STRINGS[i % PERSONAL_STRINGS.length] };
      else v = withOwn({ polluted: true }, '__proto__', v);
    }
    return v;
  }),
);

const pollutionKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
);
/** An object with a pollution key as an own, enumerable property (what JSON.parse produces). */
const polluted = fc
  .tuple(pollutionKey, fc.jsonValue())
  .map(([key, value]) => withOwn({ agency: 'PROSECUTION' }, key, value));

const anything = fc.anything({
  maxDepth: 4,
  key: fc.oneof(fc.string(), pollutionKey),
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

const hostile = fc.oneof(
  { weight: 4, arbitrary: anything },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: polluted },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, NaN, Infinity, -0, '', [], {}, true, 0, Symbol.for('x')) },
);

/** Mostly plausible, sometimes hostile. */
const mostly = <T>(plausible: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: plausible as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile });

const REFS = [
  'S-1',
  'S-2',
  'S-3',
  'S-99',
  'V-1',
  'V-2',
  'V-9',
  'WT-1',
  'L-1',
  'L-2',
  'L-3',
  'L-9',
  'W-1',
  'W-2',
  'R-1',
  'R-2',
  'A-1',
  'A-2',
  'E-1',
  'E-9',
  'C-1',
  'H-1',
  'S-00001',
  'S-123456',
  's-1',
  'S-',
  'S-1\n',
  ' S-1',
  'S-1 ',
  'S--1',
  '__proto__',
  'constructor',
  'toString',
];
/** A reference, mostly of the right kind and existing in some state of the pool. */
const refOf = (prefix: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(`${prefix}-1`, `${prefix}-2`, `${prefix}-3`) },
    { weight: 2, arbitrary: fc.constantFrom(...REFS) },
    { weight: 1, arbitrary: fc.string() },
  );
const refsOf = (prefix: string) => fc.array(refOf(prefix), { maxLength: 4 });
const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SECRET_STRINGS) },
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 250 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'ok') },
  { weight: 1, arbitrary: huge },
);
const staffId = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fiscal-2', 'judge-09', 'x', 'evidence-04') },
  { weight: 1, arbitrary: fc.constantFrom('', 'a b', 'x'.repeat(65)) },
  { weight: 1, arbitrary: fc.string() },
);
const agency = fc.constantFrom<unknown>(...AGENCIES, 'AUDIT', 'MAYOR', 'police', '');
/** A person of each agency in each of its roles, as the gateway builds them from tokens. */
const EVERYONE: Actor[] = AGENCIES.flatMap((a) =>
  rolesOf(a).map((role) => (AS[a].roles.includes(role) ? AS[a] : { agency: a, staffId: `${role}-1`, roles: [role] })),
);
/** The people `who` lets act (for commands), or the staff of these agencies (for tasks). */
const peopleOf = (who: Who | readonly Agency[]): Actor[] =>
  Array.isArray(who)
    ? EVERYONE.filter((a) => who.includes(a.agency))
    : EVERYONE.filter((a) => isAllowed(who as Who, a));
/** An actor: mostly one of `likely` (those allowed to act), else anyone or anything. */
const actorOf = (likely: readonly Actor[] = EVERYONE) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<unknown>(...(likely.length ? likely : EVERYONE)) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...EVERYONE) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          agency,
          staffId: staffId as fc.Arbitrary<unknown>,
          roles: fc.array(fc.constantFrom<unknown>('judge', 'admin', 'mayor', 3)),
        },
        { requiredKeys: ['agency'] },
      ),
    },
    { weight: 1, arbitrary: hostile },
  );
/** A command id: mostly fresh and valid, sometimes missing or malformed. */
const commandId = fc.oneof(
  { weight: 20, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, '', 'short', 'x'.repeat(101), 'a b c d e f', 42) },
);
const iso = fc.constantFrom(
  new Date(NOW).toISOString(),
  new Date(NOW + HOUR).toISOString(),
  new Date(NOW + 400 * 86_400_000).toISOString(),
  new Date(NOW - HOUR).toISOString(),
  '2026-11-28T05:00:00+05:00',
  '2026-11-28',
  'tomorrow',
  '9999-12-31T23:59:59Z',
);
/** Durations the validator accepts but that overflow the Date range are a reported defect (see
 * domain-rules.test.ts, "known defects"); they are thrown at the validator only. */
const OVERFLOWING = ['100000000d', `${'9'.repeat(30)}s`];
const duration = (withOverflow: boolean) =>
  fc.constantFrom(
    '1s',
    '0s',
    '500ms',
    '7d',
    '2h',
    '15d',
    'forever',
    '-1s',
    '1.5s',
    '1 s',
    ...(withOverflow ? OVERFLOWING : []),
  );
const enumish = (...values: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.constantFrom('bogus', '', values[0]!.toUpperCase()) },
  );

/** Per command, the enum fields whose values differ from command to command. */
const HEARINGS = ['preliminary', 'detention', 'trial', 'sentencing', 'appeal'];
const ENUMS: Record<string, Record<string, string[]>> = {
  // Codes of the case's vocabulary: known ones, and well-formed unknown ones (refused with the list).
  addLocation: { kind: ['home', 'business', 'clinic', 'mining-camp', 'bar', 'farm', 'castle'] },
  requestWarrant: { kind: ['search', 'arrest'] },
  recordSeizure: { kind: ['documents', 'cash', 'vehicle', 'phone', 'computer', 'medical-equipment', 'other'] },
  scheduleHearing: { kind: HEARINGS },
  recordHearing: { kind: HEARINGS },
  denyWarrant: { reason: ['insufficient-grounds', 'defective', 'other'] },
  transferCustody: { reason: ['evidence-storage', 'forensic-analysis', 'court-exhibit', 'return-to-owner', 'other'] },
  archiveCase: { reason: ['insufficient-evidence', 'no-offence', 'merged', 'other'] },
  reportLocation: { outcome: ['secured', 'hostile', 'empty', 'no-entry', 'aborted'] },
  endDetention: { outcome: ['released', 'remanded'] },
  severDefendant: { reason: ['fugitive', 'contempt-of-court', 'separate-trial', 'unfit-to-stand-trial', 'other'] },
  lodgeAppeal: { by: ['defence', 'prosecution'] },
  decideAppeal: { decision: ['upheld', 'overturned', 'retrial'], outcome: ['convicted', 'acquitted', 'dismissed'] },
  completeTask: { outcome: ['approved', 'examined', 'shelter-placement', 'done-1'] },
};

/** Fields that must be right together for a command to get through (a raid needs covered, distinct places). */
const clearance = {
  agency: fc.oneof({ weight: 4, arbitrary: fc.constant('POLICE') }, { weight: 1, arbitrary: agency }),
  staffId: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('op-commander-21', 'pol-204') },
    { weight: 1, arbitrary: staffId },
  ),
};
const OVERRIDES: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  planRaid: { locationRefs: fc.oneof(fc.subarray(['L-1', 'L-2', 'L-3'], { minLength: 1 }), refsOf('L')) },
  clearStaff: clearance,
  revokeClearance: clearance,
  // Mostly the fixture's minor and a well-formed custody reference, so that rescues get through.
  rescueMinor: {
    victimRef: fc.oneof({ weight: 3, arbitrary: fc.constant('V-1') }, { weight: 1, arbitrary: refOf('V') }),
    custodyRef: fc.oneof(
      { weight: 3, arbitrary: fc.constant('SHELTER-12') },
      { weight: 1, arbitrary: fc.constantFrom('a b', '', 'x'.repeat(41)) },
    ),
  },
  // Mostly one verdict for the charged suspect S-1.
  recordVerdict: {
    verdicts: fc.oneof(
      { weight: 3, arbitrary: fc.constant([{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 120 }]) },
      {
        weight: 2,
        arbitrary: fc.array(
          fc.record(
            {
              suspectRef: refOf('S'),
              outcome: enumish('convicted', 'acquitted', 'dismissed'),
              sentenceMonths: fc.integer({ min: -1, max: 1201 }),
            },
            { requiredKeys: ['suspectRef', 'outcome'] },
          ),
          { maxLength: 4 },
        ),
      },
    ),
  },
  // Mostly the fixture's defendant S-1, so that appeals and severances get through.
  severDefendant: {
    suspectRef: fc.oneof({ weight: 3, arbitrary: fc.constant('S-1') }, { weight: 1, arbitrary: refOf('S') }),
  },
  lodgeAppeal: {
    suspectRef: fc.oneof({ weight: 3, arbitrary: fc.constant('S-1') }, { weight: 1, arbitrary: refOf('S') }),
    by: fc.oneof({ weight: 3, arbitrary: fc.constant('prosecution') }, { weight: 1, arbitrary: enumish('defence') }),
  },
  waiveAppeal: {
    suspectRefs: fc.oneof({ weight: 3, arbitrary: fc.constant(['S-1']) }, { weight: 1, arbitrary: refsOf('S') }),
  },
  // Mostly an arrest with a basis: the fixture's arrest warrant W-2 (over S-1, S-2), or in flagrante.
  recordArrest: {
    warrantRef: fc.oneof({ weight: 3, arbitrary: fc.constant('W-2') }, { weight: 1, arbitrary: refOf('W') }),
    inFlagrante: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.boolean() }),
    raidRef: fc.oneof({ weight: 3, arbitrary: fc.constant('R-1') }, { weight: 1, arbitrary: refOf('R') }),
    locationRef: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('L-1', 'L-2') },
      { weight: 1, arbitrary: refOf('L') },
    ),
  },
  confirmArrest: {
    arrestRef: fc.oneof({ weight: 3, arbitrary: fc.constant('A-2') }, { weight: 1, arbitrary: refOf('A') }),
  },
  decideAppeal: {
    suspectRef: fc.oneof({ weight: 3, arbitrary: fc.constant('S-1') }, { weight: 1, arbitrary: refOf('S') }),
  },
  // Mostly hearings ahead (scheduled) or behind (held) the commands' instants.
  scheduleHearing: {
    at: fc.oneof(
      { weight: 3, arbitrary: fc.constant(new Date(NOW + 86_400_000).toISOString()) },
      { weight: 1, arbitrary: iso },
    ),
  },
  recordHearing: {
    at: fc.oneof(
      { weight: 3, arbitrary: fc.constant(new Date(NOW - HOUR).toISOString()) },
      { weight: 1, arbitrary: iso },
    ),
  },
};

const REF_FIELDS: Record<string, string> = {
  hearingRef: 'H',
  warrantRef: 'W',
  raidRef: 'R',
  locationRef: 'L',
  suspectRef: 'S',
  arrestRef: 'A',
  itemRef: 'E',
  victimRef: 'V',
};

function plausibleField(command: string, field: string, withOverflow: boolean): fc.Arbitrary<unknown> {
  const choices = ENUMS[command]?.[field];
  if (choices) return enumish(...choices);
  const prefix = REF_FIELDS[field];
  if (prefix) return refOf(prefix);
  switch (field) {
    case 'staffId':
    case 'heldBy':
      return staffId;
    case 'name':
    case 'alias':
    case 'district':
    case 'address':
    case 'description':
      return text;
    case 'roles':
      return fc.array(enumish('leader', 'member', 'recruiter', 'transporter', 'guard', 'mastermind'), {
        maxLength: 12,
      });
    case 'official':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record(
            {
              institution: enumish('police', 'judiciary', 'prosecution', 'municipality', 'congress', 'military'),
              institutionRef: fc.constantFrom('MUNI-LIMA-SJL', 'a b', ''),
              current: fc.boolean(),
              rank: text,
            },
            { requiredKeys: ['institution', 'current'] },
          ),
        },
        // As recorded before institutions: refused by validators now.
        { weight: 1, arbitrary: fc.record({ agency, current: fc.boolean() }, { requiredKeys: ['agency', 'current'] }) },
      );
    case 'minor':
    case 'protected':
    case 'inFlagrante':
      return fc.boolean();
    case 'ageMonths':
      return fc.oneof(fc.integer({ min: -10, max: 1600 }), fc.double(), fc.constantFrom(NaN, Infinity, -0, 215, 216));
    case 'sex':
      return enumish('female', 'male', 'unknown');
    case 'locationRefs':
      return refsOf('L');
    case 'suspectRefs':
      return refsOf('S');
    case 'validFor':
    case 'extendBy':
      return duration(withOverflow);
    case 'startsAt':
    case 'at':
      return iso;
    case 'offenceClass':
      return enumish('trafficking', 'organized-crime', 'child-sale', 'forced-begging', 'labour-exploitation', 'piracy');
    case 'sentenceMonths':
      return fc.integer({ min: -1, max: 1201 });
    case 'custodyRef':
      return fc.constantFrom('SHELTER-12', 'MIMP-CAR-07', 'a b', '', 'x'.repeat(41));
    case 'to':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom<unknown>(
            { agency: 'PROSECUTION', staffId: 'fiscal-017' },
            { agency: 'POLICE', staffId: 'evidence-04' },
            { agency: 'JUDICIARY' },
          ),
        },
        {
          weight: 1,
          arbitrary: fc.record({ agency, staffId: staffId as fc.Arbitrary<unknown> }, { requiredKeys: ['agency'] }),
        },
        { weight: 1, arbitrary: actorOf() },
      );
    case 'agency':
      return agency;
    case 'offences':
      return fc.array(enumish('human-trafficking', 'sale-of-children', 'organized-crime', 'corruption'), {
        maxLength: 11,
      });
    case 'verdicts':
      return fc.array(
        fc.record(
          {
            suspectRef: refOf('S'),
            outcome: enumish('convicted', 'acquitted'),
            sentenceMonths: fc.integer({ min: -1, max: 1201 }),
          },
          { requiredKeys: ['suspectRef', 'outcome'] },
        ),
        { maxLength: 4 },
      );
    case 'taskId':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...TASK_IDS) },
        { weight: 1, arbitrary: fc.constantFrom('case-X~T1', '~T1', 'a~T', '__proto__~T1', 'constructor') },
      );
    default:
      return hostile;
  }
}

function fieldsOf(schema: unknown): string[] {
  return Object.keys((schema as { shape?: Record<string, unknown> }).shape ?? {});
}

/** Arguments made of the command's own fields (all, or any subset), each mostly plausible, sometimes an extra key. */
function argsFor(
  command: string,
  fields: string[],
  withOverflow: boolean,
  overrides: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<unknown> {
  const model = Object.fromEntries(
    fields.map((f) => [f, mostly(overrides[f] ?? plausibleField(command, f, withOverflow))]),
  );
  const complete = fc.record(model); // every field present: reaches the preconditions
  const partial = fc.record(model, { requiredKeys: [] }); // any subset: missing fields
  const withExtra = fc
    .tuple(partial, fc.oneof(pollutionKey, fc.constantFrom('extra', 'dateOfBirth')), hostile)
    .map(([r, k, v]) => withOwn(r as object, k, v));
  return fc.oneof(
    { weight: 6, arbitrary: complete },
    { weight: 3, arbitrary: partial },
    { weight: 1, arbitrary: withExtra },
    { weight: 1, arbitrary: hostile },
  );
}

/** The whole Update input: mostly { actor, args }, sometimes anything at all. */
function inputFor(
  command: string,
  fields: string[],
  options: {
    likely?: readonly Actor[];
    withOverflow?: boolean;
    overrides?: Record<string, fc.Arbitrary<unknown>>;
  } = {},
): fc.Arbitrary<unknown> {
  const actor = actorOf(options.likely);
  const overrides = { ...OVERRIDES[command], ...options.overrides };
  const envelope = fc.record({
    actor,
    commandId,
    args: argsFor(command, fields, options.withOverflow ?? true, overrides),
  });
  return fc.oneof(
    { weight: 10, arbitrary: envelope },
    {
      weight: 1,
      arbitrary: envelope.map((e) => withOwn(e, '__proto__', { actor: AS.PROSECUTION, agency: 'PROSECUTION' })),
    },
    { weight: 1, arbitrary: fc.record({ actor, args: anything, sudo: anything }, { requiredKeys: ['actor'] }) },
    { weight: 1, arbitrary: hostile },
  );
}

/** A state of the pool: mostly one in a stage where `name` is allowed. */
function poolFor(name?: CaseCommandName): fc.Arbitrary<number> {
  const stages: readonly string[] = name ? PERMISSIONS[name].stages : [];
  const likely = POOL.map((p, i) => (stages.includes(p.state.stage) ? i : -1)).filter((i) => i >= 0);
  const any = fc.nat({ max: POOL.length - 1 });
  return likely.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...likely) }, { weight: 1, arbitrary: any })
    : any;
}

/** When the command arrives: mostly right away, sometimes much later (warrants expire, clocks lapse). */
const delay = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: -HOUR, max: HOUR }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 * 86_400_000 }) },
);

// ---------------------------------------------------------------------------------------------
// Checks

/** Success, or CommandRejected whose message leaks nothing; anything else fails the property. */
function expectSafeOutcome(fn: () => unknown): 'accepted' | 'rejected' {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    if (!(err instanceof CommandRejected)) throw new Error(`not a CommandRejected: ${String(err)}`, { cause: err });
    expect(typeof err.message).toBe('string');
    for (const secret of [...SECRET_STRINGS, ...SECRET_WORDS]) {
      if (err.message.includes(secret)) throw new Error(`rejection message leaks "${secret}": ${err.message}`);
    }
    return 'rejected';
  }
}

/** Deep equality, fast (node:util) for the many runs, with jest's diff when it fails. Both sides are
 * structured clones, so they share a realm (jest runs tests in a vm context of its own). */
function expectUnchanged<S extends TaskOwnerState>(state: S, snapshot: S): void {
  if (!isDeepStrictEqual(structuredClone(state), snapshot)) expect(state).toEqual(snapshot);
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
afterAll(() => {
  // No input managed to pollute the prototype of every object.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).agency).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('the arguments of every command are an object schema whose fields the generators know', () => {
  for (const name of CASE_COMMAND_NAMES) {
    for (const field of fieldsOf(CASE_COMMANDS[name].args)) {
      expect([name, field, plausibleField(name, field, true) === hostile]).toEqual([name, field, false]);
    }
  }
});

describe('validateCaseCommand under hostile input (seed 20261128, 300 runs per property)', () => {
  it.each(CASE_COMMAND_NAMES)(
    '%s: accepts or refuses with CommandRejected, never mutates, never echoes personal data',
    (name) => {
      const outcomes = { accepted: 0, rejected: 0 };
      const input = inputFor(name, fieldsOf(CASE_COMMANDS[name].args), { likely: peopleOf(PERMISSIONS[name].who) });
      fc.assert(
        fc.property(poolFor(name), input, delay, (i, cmd, dt) => {
          const { state, snapshot } = POOL[i]!;
          outcomes[expectSafeOutcome(() => validateCaseCommand(state, name, cmd, NOW + dt))] += 1;
          expectUnchanged(state, snapshot);
        }),
        PARAMS,
      );
      // The generators must get past the schemas and the matrix, or the property proves little.
      expect(outcomes.accepted).toBeGreaterThan(0);
      expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
    },
  );

  it('unknown command names, including prototype keys, are refused', () => {
    const names = fc.oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'prototype',
        '',
        'claimTask',
        'deleteCase',
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(poolFor(), names, inputFor('addSuspect', ['name', 'warrantRef', 'verdicts']), (i, name, cmd) => {
        fc.pre(!CASE_COMMAND_NAMES.includes(name as never));
        const { state, snapshot } = POOL[i]!;
        expect(expectSafeOutcome(() => validateCaseCommand(state, name, cmd, NOW))).toBe('rejected');
        expectUnchanged(state, snapshot);
      }),
      PARAMS,
    );
  });
});

describe('what the validator accepts, the handler executes (seed 20261128, 300 runs per property)', () => {
  it.each(CASE_COMMAND_NAMES)('%s', (name) => {
    const input = inputFor(name, fieldsOf(CASE_COMMANDS[name].args), {
      likely: peopleOf(PERMISSIONS[name].who),
      withOverflow: false,
    });
    fc.assert(
      fc.property(poolFor(name), input, delay, (i, cmd, dt) => {
        const state = structuredClone(POOL[i]!.state);
        if (expectSafeOutcome(() => validateCaseCommand(state, name, cmd, NOW + dt)) === 'rejected') return;
        const events = state.outbox.length;
        const outcome = executeCaseCommand(state, name as CaseCommandName, cmd, NOW + dt);
        expect(typeof outcome.result).toBe('object');
        for (const event of state.outbox.slice(events))
          expect(toAgencyMessages(state.workflowId, event).length).toBeGreaterThan(0);
      }),
      PARAMS,
    );
  });
});

describe('validateTaskCommand under hostile input (seed 20261128, 300 runs per property)', () => {
  it.each(TASK_COMMAND_NAMES)(
    '%s: accepts or refuses with CommandRejected, never mutates, never echoes personal data',
    (name) => {
      const outcomes = { accepted: 0, rejected: 0 };
      // Mostly a task that is open in the chosen state (claimed, to unclaim), from someone who may act on it.
      // unclaimTask: mostly a state that has a claimed task (one of the pool's).
      const claimedIn = TASK_POOL.flatMap((p, i) =>
        openTasks(p.state).some((t) => t.status === 'claimed') ? [i] : [],
      );
      const state =
        name === 'unclaimTask'
          ? fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...claimedIn) },
              { weight: 1, arbitrary: fc.nat({ max: TASK_POOL.length - 1 }) },
            )
          : fc.nat({ max: TASK_POOL.length - 1 });
      const scenario = state.chain((i) => {
        const open = openTasks(TASK_POOL[i]!.state).filter((t) => name !== 'unclaimTask' || t.status === 'claimed');
        const fields = fieldsOf(TASK_COMMANDS[name].args);
        if (open.length === 0) return fc.tuple(fc.constant(i), inputFor(name, fields));
        const agencies = [...new Set(open.flatMap((t) => [t.assignee, ...(t.escalated ? t.escalateTo : [])]))];
        const claimants = EVERYONE.filter((a) => open.some((t) => t.staffId === a.staffId));
        const likely = name === 'unclaimTask' && claimants.length ? claimants : peopleOf(agencies);
        const taskId = fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...open.map((t) => t.id)) },
          { weight: 1, arbitrary: plausibleField(name, 'taskId', false) },
        );
        return fc.tuple(fc.constant(i), inputFor(name, fields, { likely, overrides: { taskId } }));
      });
      fc.assert(
        fc.property(scenario, ([i, cmd]) => {
          const { state, snapshot } = TASK_POOL[i]!;
          const outcome = expectSafeOutcome(() => validateTaskCommand(state, name, cmd));
          outcomes[outcome] += 1;
          expectUnchanged(state, snapshot);
          // ...and what it accepts, the handler executes.
          if (outcome === 'accepted')
            expect(executeTaskCommand(structuredClone(state), name, cmd, NOW).task.id).toBeDefined();
        }),
        PARAMS,
      );
      expect(outcomes.accepted).toBeGreaterThan(0);
      expect(outcomes.rejected).toBeGreaterThan(RUNS / 10);
    },
  );
});

describe('toAgencyMessages: need-to-know holds for any reference-only data (seed 20261128, 300 runs)', () => {
  const FIELDS = [
    ...new Set(
      Object.values(EVENT_CATALOG as Record<string, EventSpec>).flatMap((spec) =>
        Object.values(spec.to).flatMap((view) => (view === 'full' ? [] : [...view])),
      ),
    ),
    'taskIds',
    'detentionLimitAt',
    'validUntil',
    'protectionWorkflowId',
    'outcome',
    'task',
    'official',
    'warrantRef',
    'arrestRef',
    'itemRef',
  ].filter((f) => f !== 'caseId'); // caseId is the envelope's, never event data
  const referenceValue = fc.oneof(
    fc.constantFrom(...REFS.slice(0, 22)),
    fc.array(fc.constantFrom(...REFS.slice(0, 22)), { maxLength: 4 }),
    fc.nat({ max: 50 }),
    fc.boolean(),
  );
  const event = fc
    .record({
      seq: fc.integer({ min: 1, max: 1_000_000 }),
      type: fc.constantFrom(...EVENT_TYPES),
      data: fc.dictionary(fc.constantFrom(...FIELDS), referenceValue, { maxKeys: 12 }),
      restricted: fc.subarray([...AGENCIES]),
      narrow: fc.boolean(),
      pick: fc.subarray([...AGENCIES], { minLength: 1 }),
    })
    .map(({ narrow, pick, ...e }): PendingEvent => {
      const receivers = Object.keys(EVENT_CATALOG[e.type].to) as Agency[];
      // Emitters may narrow the receivers (victim-added, task events), always within the catalogue.
      const to = narrow ? receivers.filter((a) => pick.includes(a)) : undefined;
      return { ...e, at: new Date(NOW).toISOString(), caseId: 'PE-LIM-2026-0042', ...(to ? { to } : {}) };
    });

  it('non-AUDIT recipients receive only their view; restricted ones nothing, but their tasks via CLEARED', () => {
    fc.assert(
      fc.property(event, (e) => {
        const spec: EventSpec = EVENT_CATALOG[e.type];
        const messages = toAgencyMessages('case-PE-LIM-2026-0042', e);
        const audit = messages.filter((m) => m.recipient === 'AUDIT');
        expect(audit.map((m) => m.event.data)).toEqual([{ caseId: e.caseId, ...e.data }]);
        expect(new Set(messages.map((m) => m.msgId)).size).toBe(messages.length);
        for (const m of messages) {
          if (m.recipient === 'AUDIT') continue;
          const cleared = m.recipient === 'CLEARED';
          const agencyName = (cleared ? (m.event.data as { agency: Agency }).agency : m.recipient) as Agency;
          expect(e.restricted.includes(agencyName)).toBe(cleared);
          if (cleared) expect(spec.dynamic).toBe(true);
          const view = spec.to[agencyName];
          expect(view).toBeDefined(); // only catalogue receivers get anything
          const { agency: _a, clearedStaff: _c, ...data } = m.event.data as Record<string, unknown>;
          if (!cleared) expect(m.event.data).toEqual(data);
          if (view === 'full') {
            expect(data).toEqual({ caseId: e.caseId, ...e.data });
          } else {
            for (const key of Object.keys(data)) expect(['caseId', ...view!]).toContain(key);
            for (const key of Object.keys(data)) if (key !== 'caseId') expect(data[key]).toEqual(e.data[key]);
            expect(data.caseId).toBe(e.caseId);
          }
        }
      }),
      PARAMS,
    );
  });
});
