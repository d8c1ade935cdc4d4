/**
 * Rules that hold for every trafficking case (issue #10), beyond judgment (domain-judgment.test.ts) and the
 * detention clocks (domain-deadlines.test.ts): raid outcomes that constrain what follows, officials of any
 * institution, arrests with a legal basis, hearings in time, the vocabulary of the case's policy, system
 * events on the timeline and who sees them, and the policy itself. Refusals leave the state as it was.
 */
import { caseSnapshot } from '../../src/domain/case-state';
import { statusView, timelineView } from '../../src/domain/case-views';
import { commandCatalogue } from '../../src/domain/catalogue';
import { onRaidCompleted } from '../../src/domain/commands/operation';
import { executeCaseCommand } from '../../src/domain/commands';
import { INPUT_SCHEMAS } from '../../src/domain/input-schemas';
import type { JsonSchema } from '../../src/domain/json-schema';
import {
  completePolicy,
  DEFAULT_POLICY,
  LEGACY_VOCABULARY,
  PolicyError,
  resolvePolicy,
  type RecordedPolicy,
} from '../../src/domain/policy';
import { toAgencyMessages } from '../../src/domain/views';
import { jsonErrorPosition } from '../../src/json-text';
import {
  AS,
  CLERK,
  FAST_POLICY,
  NOW,
  SECOND,
  caseAt,
  lastEvent,
  newCommandId,
  openCase,
  refuse,
  run,
} from './domain-fixtures';

const iso = (ms: number) => new Date(ms).toISOString();

describe('raid outcomes constrain what follows', () => {
  it('no arrest, seizure or rescue at a location the raid found empty, aborted or could not enter', () => {
    const state = caseAt('OPERATION');
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'empty' });
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'aborted' });
    const at = (locationRef: string) => ({ raidRef: 'R-1', locationRef });
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'trafficking', warrantRef: 'W-2', ...at('L-1') },
      'PRECONDITION',
      /^locationRef: raid R-1 reported L-1 empty: no arrest is recorded there$/,
    );
    refuse(
      state,
      'recordSeizure',
      AS.POLICE,
      { kind: 'phone', description: 'a phone', ...at('L-2') },
      'PRECONDITION',
      /^locationRef: raid R-1 reported L-2 aborted: no seizure is recorded there$/,
    );
    refuse(
      state,
      'rescueMinor',
      AS.POLICE,
      { victimRef: 'V-1', custodyRef: 'SHELTER-1', locationRef: 'L-1' },
      'PRECONDITION',
      /^locationRef: raid R-1 reported L-1 empty: no rescue is recorded there$/,
    );
  });

  it('a record names a location of its raid; a hostile location still yields arrests', () => {
    const state = caseAt('OPERATION');
    refuse(
      state,
      'recordSeizure',
      AS.POLICE,
      { kind: 'cash', description: 'cash', raidRef: 'R-1', locationRef: 'L-3' },
      'UNKNOWN_REFERENCE',
      /^locationRef: L-3 is not a location of raid R-1$/,
    );
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'hostile' });
    run(state, 'recordArrest', AS.POLICE, {
      suspectRef: 'S-1',
      offenceClass: 'trafficking',
      warrantRef: 'W-2',
      raidRef: 'R-1',
      locationRef: 'L-1',
    });
  });

  it('per-location outcomes show in status and timeline; figures count everything under the raid, also later', () => {
    const state = caseAt('OPERATION');
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'secured' });
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'empty' });
    expect(onRaidCompleted(state, 'R-1', NOW)).toBe(true);
    expect(state.timeline.at(-1)).toEqual({ at: iso(NOW), type: 'raid-completed', source: 'system', ref: 'R-1' });
    // Recorded after the raid completed, under it: the figures follow, and partners hear so.
    run(state, 'recordArrest', AS.POLICE, {
      suspectRef: 'S-1',
      offenceClass: 'trafficking',
      warrantRef: 'W-2',
      raidRef: 'R-1',
      locationRef: 'L-1',
    });
    const raid = caseSnapshot(state, NOW).raids[0]!;
    expect(raid).toMatchObject({
      status: 'completed',
      outcomes: { 'L-1': 'secured', 'L-2': 'empty' },
      figures: { arrests: 1, seizures: 0, minorsRescued: 0 },
    });
    const updated = toAgencyMessages(state.workflowId, lastEvent(state, 'raid-figures-updated'));
    expect(updated.find((m) => m.recipient === 'PARTNER')?.event.data).toEqual({
      caseId: state.caseId,
      arrests: 1,
      seizures: 0,
      minorsRescued: 0,
    });
    const reports = state.timeline.filter((e) => e.type === 'reportLocation');
    expect(reports.map((e) => [e.ref, e.detail])).toEqual([
      ['R-1', { locationRef: 'L-1', outcome: 'secured' }],
      ['R-1', { locationRef: 'L-2', outcome: 'empty' }],
    ]);
  });
});

describe('officials of any institution', () => {
  it('a municipal councillor: OVERSIGHT is told and gets a review task; no agency is restricted', () => {
    const state = caseAt('INVESTIGATION');
    run(state, 'addSuspect', AS.PROSECUTION, {
      name: 'Regidor Inventado',
      roles: ['facilitator'],
      official: { institution: 'municipality', institutionRef: 'MUNI-LIMA-SJL', current: true, rank: 'councillor' },
    });
    expect(state.restrictedAgencies).toEqual([]);
    expect(state.suspects['S-3']!.official).toEqual({
      institution: 'municipality',
      institutionRef: 'MUNI-LIMA-SJL',
      current: true,
      rank: 'councillor',
    });
    const review = Object.values(state.tasks).find((t) => t.kind === 'review-official')!;
    expect(review).toMatchObject({ ref: 'S-3', assignee: 'OVERSIGHT', escalateTo: ['PROSECUTION'], status: 'open' });
    const told = toAgencyMessages(state.workflowId, lastEvent(state, 'conflict-of-interest'));
    expect(told.map((m) => m.recipient).sort()).toEqual(['AUDIT', 'OVERSIGHT', 'PROSECUTION']);
    expect(told.find((m) => m.recipient === 'OVERSIGHT')?.event.data).toEqual({
      caseId: state.caseId,
      suspectRef: 'S-3',
      institution: 'municipality',
      institutionRef: 'MUNI-LIMA-SJL',
      current: true,
    });
    // The rank is personal: in the encrypted state only.
    expect(JSON.stringify(state.outbox)).not.toContain('councillor');
    // The partner NGO is not cut off: it still reads its view.
    expect(statusView(caseSnapshot(state, NOW), AS.PARTNER).figures).toBeDefined();
  });

  it.each([
    ['police', 'POLICE'],
    ['judiciary', 'JUDICIARY'],
    ['prosecution', 'PROSECUTION'],
  ] as const)('an official of the %s restricts %s (and gets a review too)', (institution, agency) => {
    const state = caseAt('INVESTIGATION');
    run(state, 'addSuspect', AS.PROSECUTION, { name: 'Funcionario', official: { institution, current: false } });
    expect(state.restrictedAgencies).toEqual([agency]);
    expect(Object.values(state.tasks).filter((t) => t.kind === 'review-official')).toHaveLength(1);
  });

  it('the old form (official.agency) is refused to new commands, and applied to recorded ones without restricting a partner', () => {
    const state = caseAt('INVESTIGATION');
    refuse(
      state,
      'addSuspect',
      AS.PROSECUTION,
      { name: 'Regidor', official: { agency: 'PARTNER', current: true } },
      'INVALID_ARGUMENTS',
      /^args\.official\.institution: Invalid option: expected one of "police"/,
    );
    // A history recorded before institutions: the handler accepts it (validators do not run on replay).
    const input = (agency: string) => ({
      commandId: newCommandId(),
      actor: AS.PROSECUTION,
      args: { name: 'Registrado', official: { agency, current: true } },
    });
    executeCaseCommand(state, 'addSuspect', input('PARTNER'), NOW);
    expect(state.restrictedAgencies).toEqual([]);
    expect(state.suspects['S-3']!.official).toMatchObject({ institution: 'other' });
    executeCaseCommand(state, 'addSuspect', input('POLICE'), NOW);
    expect(state.restrictedAgencies).toEqual(['POLICE']);
  });

  it('a history from before every official got a review replays without the task', () => {
    const state = caseAt('INVESTIGATION');
    const before = (change: string) => change !== 'oversight-reviews-every-official';
    executeCaseCommand(
      state,
      'addSuspect',
      {
        commandId: newCommandId(),
        actor: AS.PROSECUTION,
        args: { name: 'Registrado', official: { agency: 'POLICE', current: false } },
      },
      NOW,
      before,
    );
    expect(Object.values(state.tasks).filter((t) => t.kind === 'review-official')).toEqual([]);
  });
});

describe('arrests with a legal basis', () => {
  it('cites an approved arrest warrant naming the suspect, or is in flagrante: one of the two (invalid input)', () => {
    const state = caseAt('OPERATION');
    const rule = /^args: an arrest cites an approved arrest warrant \(warrantRef\) or is made in flagrante/;
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'trafficking' },
      'INVALID_ARGUMENTS',
      rule,
    );
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'trafficking', warrantRef: 'W-2', inFlagrante: true },
      'INVALID_ARGUMENTS',
      rule,
    );
  });

  it('the warrant must be an arrest warrant, approved, unexpired, naming the suspect', () => {
    const state = caseAt('OPERATION');
    run(state, 'addSuspect', AS.POLICE, { name: 'Otro', roles: ['guard'] }); // S-3, in no warrant
    run(state, 'requestWarrant', AS.PROSECUTION, { kind: 'arrest', suspectRefs: ['S-3'] }); // W-3, pending
    const arrest = (suspectRef: string, warrantRef: string) => ({
      suspectRef,
      offenceClass: 'trafficking',
      warrantRef,
    });
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      arrest('S-1', 'W-1'),
      'PRECONDITION',
      /^warrantRef: W-1 is a search warrant, not an arrest warrant$/,
    );
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      arrest('S-3', 'W-2'),
      'PRECONDITION',
      /^warrantRef: arrest warrant W-2 does not name S-3$/,
    );
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      arrest('S-3', 'W-3'),
      'PRECONDITION',
      /^warrantRef: arrest warrant W-3 is requested, not approved$/,
    );
    refuse(state, 'recordArrest', AS.POLICE, arrest('S-3', 'W-9'), 'UNKNOWN_REFERENCE', /^warrantRef: no warrant W-9/);
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      arrest('S-1', 'W-2'),
      'PRECONDITION',
      /^warrantRef: arrest warrant W-2 lapsed at /,
      NOW + 8 * 86_400_000,
    );
    expect(run(state, 'recordArrest', AS.POLICE, arrest('S-1', 'W-2')).result).toMatchObject({ arrestRef: 'A-1' });
    expect(state.arrests['A-1']!.basis).toEqual({ warrantRef: 'W-2' });
  });

  it('an arrest in flagrante opens a judicial review with its own deadline; a judge confirms it', () => {
    const state = caseAt('OPERATION', { policy: FAST_POLICY });
    run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'trafficking', inFlagrante: true });
    const review = Object.values(state.tasks).find((t) => t.kind === 'review-arrest')!;
    expect(review).toMatchObject({
      ref: 'A-1',
      assignee: 'JUDICIARY',
      escalateTo: ['PROSECUTION', 'OVERSIGHT'],
      dueAt: iso(NOW + 24 * 3_600_000), // the policy's detention.flagranteReview
    });
    expect(lastEvent(state, 'arrest-recorded').data).toMatchObject({ inFlagrante: true, reviewDueAt: review.dueAt });
    refuse(state, 'confirmArrest', CLERK, { arrestRef: 'A-1' }, 'NOT_PERMITTED', /only a judge/);
    run(state, 'confirmArrest', AS.JUDICIARY, { arrestRef: 'A-1' }, NOW + SECOND);
    expect(state.tasks[review.id]).toMatchObject({ status: 'completed', outcome: 'confirmed' });
    expect(state.arrests['A-1']!.review).toMatchObject({ confirmedAt: iso(NOW + SECOND) });
    refuse(state, 'confirmArrest', AS.JUDICIARY, { arrestRef: 'A-1' }, 'CONFLICT', /already confirmed/);
  });

  it('an arrest under a warrant needs no review', () => {
    refuse(
      caseAt('DETENTION'),
      'confirmArrest',
      AS.JUDICIARY,
      { arrestRef: 'A-1' },
      'PRECONDITION',
      /^arrestRef: A-1 was not made in flagrante: it needs no review$/,
    );
  });
});

describe('hearings in time', () => {
  it('a hearing is scheduled in the future; one that took place is recorded separately', () => {
    const state = caseAt('PROSECUTION');
    refuse(
      state,
      'scheduleHearing',
      CLERK,
      { kind: 'trial', at: '1999-03-01T09:00:00Z' },
      'PRECONDITION',
      /^at: a hearing is scheduled in the future; record one that took place with recordHearing$/,
    );
    const { result } = run(state, 'scheduleHearing', CLERK, { kind: 'preliminary', at: iso(NOW + 3_600_000) });
    refuse(
      state,
      'recordHearing',
      CLERK,
      { kind: 'preliminary', at: iso(NOW + 3_600_000), hearingRef: result.hearingRef },
      'PRECONDITION',
      /^at: a hearing that took place is not in the future/,
    );
    const later = NOW + 2 * 3_600_000;
    run(
      state,
      'recordHearing',
      CLERK,
      { kind: 'preliminary', at: iso(NOW + 3_600_000), hearingRef: result.hearingRef },
      later,
    );
    expect(state.hearings[String(result.hearingRef)]).toMatchObject({ status: 'held', at: iso(NOW + 3_600_000) });
    refuse(
      state,
      'recordHearing',
      CLERK,
      { kind: 'preliminary', at: iso(NOW), hearingRef: result.hearingRef },
      'CONFLICT',
      /already recorded as held/,
      later,
    );
    expect(run(state, 'recordHearing', CLERK, { kind: 'detention', at: iso(NOW) }, later).result).toEqual({
      hearingRef: 'H-2',
    });
  });
});

describe("the case's vocabulary", () => {
  it('a new case knows the default codes: recruiter, transporter, guard, mining camp, bar, farm, forced begging...', () => {
    const state = caseAt('OPERATION');
    for (const role of ['recruiter', 'transporter', 'guard'])
      run(state, 'addSuspect', AS.POLICE, { name: 'X', roles: [role] });
    for (const kind of ['mining-camp', 'bar', 'farm'])
      run(state, 'addLocation', AS.POLICE, { kind, district: 'Madre de Dios' });
    run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-3', offenceClass: 'forced-begging', inFlagrante: true });
    run(state, 'recordArrest', AS.POLICE, {
      suspectRef: 'S-4',
      offenceClass: 'labour-exploitation',
      inFlagrante: true,
    });
    expect(state.arrests['A-2']!.limitAt).toBe(NOW + 48 * 3_600_000);
  });

  it('an unknown code is invalid input, refused with the list of the codes the case knows', () => {
    const state = caseAt('OPERATION');
    refuse(
      state,
      'addSuspect',
      AS.POLICE,
      { name: 'X', roles: ['leader', 'mastermind'] },
      'INVALID_ARGUMENTS',
      /^args\.roles\.1: must be one of the case's suspect roles: leader, member, recruiter, transporter, guard, /,
    );
    refuse(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-2', offenceClass: 'piracy', inFlagrante: true },
      'INVALID_ARGUMENTS',
      /^args\.offenceClass: must be one of the case's offence classes: trafficking, sexual-exploitation, forced-labour, /,
    );
  });

  it("a case keeps the vocabulary it opened with: its policy's, or for cases from before, the old lists", () => {
    const own = resolvePolicy({ vocabulary: { locationKinds: ['ship', 'port'] } });
    const state = openCase({ policy: own });
    run(state, 'startInvestigation', AS.PROSECUTION);
    run(state, 'addLocation', AS.POLICE, { kind: 'ship', district: 'Callao' });
    refuse(
      state,
      'addLocation',
      AS.POLICE,
      { kind: 'home', district: 'Callao' },
      'INVALID_ARGUMENTS',
      /location kinds: ship, port$/,
    );
    const { appeal: _a, vocabulary: _v, ...rest } = DEFAULT_POLICY;
    const { flagranteReview: _f, ...detention } = rest.detention;
    const recorded: RecordedPolicy = {
      ...rest,
      detention: { ...detention, limit: { trafficking: '48h', other: '48h' } },
    };
    expect(completePolicy(recorded).vocabulary).toEqual(LEGACY_VOCABULARY);
    expect(completePolicy(recorded).appeal).toEqual(DEFAULT_POLICY.appeal);
  });

  it('the catalogue lists the vocabulary of a deployment as enums; the policy format is its casePolicy entry', () => {
    const policy = resolvePolicy({ vocabulary: { suspectRoles: ['recruiter', 'guard'] } });
    const catalogue = commandCatalogue(policy);
    const args = (name: string) =>
      catalogue.find((c) => c.name === name)!.args as { properties: Record<string, JsonSchema> };
    expect(args('addSuspect').properties.roles!.items).toMatchObject({ enum: ['recruiter', 'guard'] });
    expect(args('addLocation').properties.kind).toMatchObject({ enum: DEFAULT_POLICY.vocabulary.locationKinds });
    expect(args('recordArrest').properties.offenceClass).toMatchObject({
      enum: DEFAULT_POLICY.vocabulary.offenceClasses,
    });
    const entry = catalogue.find((c) => c.name === 'casePolicy')!;
    expect(entry).toMatchObject({ kind: 'policy', values: policy });
    expect((entry.args as { properties: Record<string, unknown> }).properties).toHaveProperty('vocabulary');
    expect(entry.summary).toContain('CASE_POLICY_FILE');
  });
});

describe('the policy file', () => {
  it('is validated: codes well formed and distinct, a detention limit for every offence class, legal bounds', () => {
    const error = (override: unknown) => {
      try {
        resolvePolicy(override);
      } catch (err) {
        if (err instanceof PolicyError) return err.message;
        throw err;
      }
      return undefined;
    };
    expect(error({ vocabulary: { suspectRoles: ['Recruiter'] } })).toMatch(
      /^vocabulary\.suspectRoles\.0: must be a code/,
    );
    expect(error({ vocabulary: { suspectRoles: ['guard', 'guard'] } })).toBe(
      'vocabulary.suspectRoles.1: must not repeat a code',
    );
    expect(error({ vocabulary: { offenceClasses: ['trafficking', 'piracy'] } })).toBe(
      'vocabulary.offenceClasses.1: needs a police detention limit (detention.limit)',
    );
    expect(error({ appeal: { window: '400d' } })).toBe('appeal.window: must be at most 90d (legal bound)');
    expect(error({ detention: { flagranteReview: '3d' } })).toBe(
      'detention.flagranteReview: must be at most 48h (legal bound)',
    );
    expect(
      error({ vocabulary: { offenceClasses: ['piracy'] }, detention: { limit: { piracy: '48h' } } }),
    ).toBeUndefined();
  });

  it('errors give the position, never the content (JSON syntax)', () => {
    expect(jsonErrorPosition('{"summary": "Nombre Secreto')).toBe('line 1, column 28');
    expect(jsonErrorPosition('{\n  "a": 1,\n  "b": tru\n}')).toBe('line 3, column 8');
    expect(jsonErrorPosition('{"a": [1, 2,]}')).toBe('line 1, column 13');
    expect(jsonErrorPosition('{"a": 1} x')).toBe('line 1, column 10');
    expect(jsonErrorPosition('{"a": -}')).toBe('line 1, column 7');
    expect(jsonErrorPosition('[1, 01]')).toBe('line 1, column 6');
    expect(jsonErrorPosition('{"a": "\\u00e9", "b": [true, null, -1.5e3]}')).toBeUndefined();
  });
});

describe('every nested object is strict', () => {
  /** Objects of every generated schema: each refuses keys it does not name (records name theirs by pattern). */
  function looseObjects(schema: JsonSchema, path: string): string[] {
    const out: string[] = [];
    if (schema.type === 'object' && schema.additionalProperties !== false && !schema.propertyNames) out.push(path);
    for (const [k, v] of Object.entries(schema.properties ?? {})) out.push(...looseObjects(v, `${path}.${k}`));
    if (schema.items) out.push(...looseObjects(schema.items, `${path}[]`));
    if (typeof schema.additionalProperties === 'object')
      out.push(...looseObjects(schema.additionalProperties, `${path}.*`));
    return out;
  }
  it('in every command, recorded command, opening and envelope', () => {
    const all = [
      ...Object.entries(INPUT_SCHEMAS.caseArgs),
      ...Object.entries(INPUT_SCHEMAS.recordedCaseArgs),
      ...Object.entries(INPUT_SCHEMAS.taskArgs),
      ['openCase', INPUT_SCHEMAS.openCase],
      ['envelope', INPUT_SCHEMAS.envelope],
    ] as [string, JsonSchema][];
    // The envelope's args are any object: each command's schema checks them.
    expect(all.flatMap(([name, schema]) => looseObjects(schema, name))).toEqual([]);
  });

  it('transferCustody refuses unknown keys inside `to`', () => {
    refuse(
      caseAt('DETENTION'),
      'transferCustody',
      AS.POLICE,
      { itemRef: 'E-1', to: { agency: 'PROSECUTION', name: 'Fiscal X' }, reason: 'other' },
      'INVALID_ARGUMENTS',
      /^args\.to: Unrecognized key: "name"$/,
    );
  });
});

describe('the timeline as legal record, in each agency view', () => {
  it('system entries reach the agencies the event reaches (the task holders for task events), partners as facts only', () => {
    const state = caseAt('OPERATION', { policy: FAST_POLICY });
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-1', outcome: 'secured' });
    run(state, 'reportLocation', AS.POLICE, { raidRef: 'R-1', locationRef: 'L-2', outcome: 'empty' });
    onRaidCompleted(state, 'R-1', NOW);
    state.timeline.push({ at: iso(NOW), type: 'task-escalated', source: 'system', ref: 'W-9', for: ['JUDICIARY'] });
    const system = (agency: keyof typeof AS) =>
      timelineView(state.timeline, AS[agency]).filter((e) => e.source === 'system');
    expect(system('PROSECUTION').map((e) => e.type)).toEqual(['raid-completed', 'task-escalated']);
    expect(system('POLICE')).toEqual([{ at: iso(NOW), type: 'raid-completed', source: 'system', ref: 'R-1' }]);
    expect(system('JUDICIARY')).toEqual([{ at: iso(NOW), type: 'task-escalated', source: 'system', ref: 'W-9' }]);
    expect(system('PARTNER')).toEqual([{ at: iso(NOW), type: 'raid-completed', source: 'system' }]);
    expect(system('CHILD_PROTECTION')).toEqual([]);
  });

  it('status shows the unlawful period, the defendants and the raid outcomes to the agencies that need them', () => {
    const state = caseAt('DETENTION', { policy: FAST_POLICY });
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' }, NOW + 30 * SECOND);
    run(state, 'fileCharges', AS.PROSECUTION, { suspectRefs: ['S-1', 'S-2'], offences: ['human-trafficking'] });
    run(state, 'openTrial', AS.JUDICIARY);
    run(state, 'severDefendant', AS.JUDICIARY, { suspectRef: 'S-2', reason: 'fugitive' });
    const snapshot = caseSnapshot(state, NOW + 40 * SECOND);
    const unlawful = { from: iso(NOW + 20 * SECOND), until: iso(NOW + 30 * SECOND) };
    for (const agency of ['PROSECUTION', 'POLICE', 'JUDICIARY', 'OVERSIGHT'] as const) {
      expect(statusView(snapshot, AS[agency]).arrests?.[0]).toMatchObject({
        lapsed: true,
        unlawfulDetention: unlawful,
      });
    }
    expect(statusView(snapshot, AS.CHILD_PROTECTION).arrests).toBeUndefined();
    expect(statusView(snapshot, AS.POLICE).defendants).toEqual([
      { suspectRef: 'S-1', status: 'awaiting-verdict' },
      { suspectRef: 'S-2', status: 'severed', severance: { at: iso(NOW), reason: 'fugitive' } },
    ]);
    expect(statusView(snapshot, AS.JUDICIARY).defendants).toHaveLength(2);
    expect(statusView(snapshot, AS.PARTNER)).not.toHaveProperty('defendants');
    expect(statusView(snapshot, AS.PARTNER).figures).toMatchObject({ severed: 1, convicted: 0 });
  });
});
