/**
 * A second complete case, of another kind than the reference one (issue #10), through the gateway with real
 * tokens of the dev accounts: labour and sexual exploitation around a gold-mining camp, a municipal councillor
 * among the suspects, minors aged 15 and 16, a raid location found empty, an arrest in flagrante, a detention
 * left to lapse and then released, a fugitive defendant severed and tried later, appeals (upheld, a retrial),
 * judgments becoming final by waiver and by the window closing, and the case closed and still readable. The
 * policy is seconds-scale where the story needs a clock to run out.
 */
import { CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../../src/client/errors';
import type { CasesClient } from '../../src/client/cases-client';
import type { CloudEvent } from '../../src/domain/envelope';
import { resolvePolicy } from '../../src/domain/policy';
import { startGateway, type TestGateway } from '../support/gateway';
import { eventually, readEvents, uniqueCaseId } from '../support/orchestrator';

jest.setTimeout(300_000);

const POLICY = resolvePolicy({
  // Only labour exploitation lapses within the test; every other class keeps the default limits.
  detention: { limit: { 'labour-exploitation': '6s' }, warnBefore: '2s', extension: '1h', flagranteReview: '1h' },
  warrantValidity: '1h',
  raidReportWindow: '1h',
  chargeFilingWindow: '1h',
  appeal: { window: '8s', decision: '1h' },
  childProtection: { referralAcceptance: '1h', medicalExam: '1h', placement: '1h', carePlan: '1h' },
  task: { defaultDue: '1h', remindBefore: '10m' },
});

/** Invented names: they exist to prove they never leave the encrypted state. */
const NAMES = {
  leader: 'Rodolfo Quispe Huamani',
  recruiter: 'Elsa Condori Mamani',
  transporter: 'Wilber Ccori Apaza',
  guard: 'Teófilo Puma Larico',
  councillor: 'Edgar Villanueva Soto',
  minor15: 'Yanet Huarachi Flores',
  minor16: 'Kelly Choque Ramos',
  adult: 'Marisol Ticona Cruz',
};

const typeOf = (e: CloudEvent) => e.type.replace('org.case-orchestrator.', '');

describe('a second case: labour and sexual exploitation in a mining area', () => {
  let g: TestGateway;
  let prosecutor: CasesClient;
  let coordinator: CasesClient;
  let police: CasesClient;
  let judge: CasesClient;
  let clerk: CasesClient;
  let care: CasesClient;
  let oversight: CasesClient;
  let partner: CasesClient;
  const caseId = uniqueCaseId('PE-MDD');

  beforeAll(async () => {
    g = await startGateway({ policy: POLICY });
    [prosecutor, coordinator, police, judge, clerk, care, oversight, partner] = [
      'fiscal-017',
      'fiscal-coord-02',
      'pol-204',
      'judge-9',
      'clerk-4',
      'social-12',
      'oversight-3',
      'partner-1',
    ].map((account) => g.as(account)) as [
      CasesClient,
      CasesClient,
      CasesClient,
      CasesClient,
      CasesClient,
      CasesClient,
      CasesClient,
      CasesClient,
    ];
  });
  afterAll(async () => {
    await g?.stop();
  });

  const cmd = async (by: CasesClient, name: string, args: Record<string, unknown> = {}) =>
    (await by.command(caseId, name, args)).result;
  const ref = async (by: CasesClient, name: string, args: Record<string, unknown>, field: string) =>
    String((await cmd(by, name, args))[field]);
  const refused = (by: CasesClient, name: string, args: Record<string, unknown>) =>
    by.command(caseId, name, args).then(
      () => {
        throw new Error(`${name} was accepted`);
      },
      (err: unknown) => err as Error & { code?: string },
    );
  const openTask = (by: CasesClient, kind: string, taskRef?: string) =>
    eventually(
      async () => (await by.status(caseId)).openTasks?.find((t) => t.kind === kind && (!taskRef || t.ref === taskRef)),
      20_000,
      `an open ${kind} task`,
    );

  it('runs to CLOSED through every new rule', async () => {
    // --- opening, under the deployment's policy (fixed for the case) ---
    const opened = await prosecutor.open({
      caseId,
      codename: 'ORO-NEGRO',
      jurisdiction: 'PE-MDD',
      crimeTypes: ['human-trafficking', 'sexual-exploitation', 'forced-labour', 'labour-exploitation'],
      priority: 'high',
      leadProsecutor: { staffId: 'fiscal-017' },
    });
    expect(opened.created).toBe(true);
    expect(await prosecutor.policy(caseId)).toEqual(POLICY);
    expect(await partner.policy()).toEqual(POLICY); // the deployment's: public
    await cmd(prosecutor, 'startInvestigation');

    // --- suspects, with the vocabulary of this kind of case; a municipal councillor among them ---
    const leader = await ref(police, 'addSuspect', { name: NAMES.leader, roles: ['leader'] }, 'suspectRef');
    const recruiter = await ref(police, 'addSuspect', { name: NAMES.recruiter, roles: ['recruiter'] }, 'suspectRef');
    const transporter = await ref(
      police,
      'addSuspect',
      { name: NAMES.transporter, roles: ['transporter'] },
      'suspectRef',
    );
    const guard = await ref(police, 'addSuspect', { name: NAMES.guard, roles: ['guard', 'enforcer'] }, 'suspectRef');
    const badRole = await refused(police, 'addSuspect', { name: NAMES.guard, roles: ['capo'] });
    expect(badRole).toBeInstanceOf(InvalidInputError); // exit 2: invalid input, with the list
    expect(badRole.message).toMatch(
      /^args\.roles\.0: must be one of the case's suspect roles: leader, member, recruiter/,
    );
    expect(badRole.message).not.toContain(NAMES.guard);
    const councillor = await ref(
      prosecutor,
      'addSuspect',
      {
        name: NAMES.councillor,
        roles: ['facilitator'],
        official: { institution: 'municipality', institutionRef: 'MUNI-TAMBOPATA', current: true, rank: 'regidor' },
      },
      'suspectRef',
    );
    // A municipality is none of the case's agencies: nobody is restricted, the partner NGO still reads its view.
    expect((await prosecutor.status(caseId)).restrictedAgencies).toEqual([]);
    expect((await partner.status(caseId)).figures).toMatchObject({ suspects: 5 });
    // OVERSIGHT reviews every official: its task, its decision.
    const review = await openTask(oversight, 'review-official', councillor);
    await oversight.task('complete', review.id, { outcome: 'investigation-opened' });
    expect((await oversight.status(caseId)).suspects?.find((s) => s.ref === councillor)?.official).toMatchObject({
      institution: 'municipality',
      institutionRef: 'MUNI-TAMBOPATA',
      current: true,
    });

    // --- victims: two minors (15 and 16) and an adult woman; places of this kind of case ---
    const minor15 = await ref(
      police,
      'addVictim',
      { name: NAMES.minor15, minor: true, ageMonths: 183, sex: 'female' },
      'victimRef',
    );
    const minor16 = await ref(
      police,
      'addVictim',
      { name: NAMES.minor16, minor: true, ageMonths: 196, sex: 'female' },
      'victimRef',
    );
    const adult = await ref(prosecutor, 'addVictim', { name: NAMES.adult, minor: false, sex: 'female' }, 'victimRef');
    const camp = await ref(police, 'addLocation', { kind: 'mining-camp', district: 'Huepetuhe' }, 'locationRef');
    const bar = await ref(police, 'addLocation', { kind: 'bar', district: 'Mazuko' }, 'locationRef');
    const farm = await ref(police, 'addLocation', { kind: 'farm', district: 'Laberinto' }, 'locationRef');

    // --- warrants: search over the places, arrest of three suspects (not the transporter nor the guard) ---
    const search = await ref(
      prosecutor,
      'requestWarrant',
      { kind: 'search', locationRefs: [camp, bar, farm] },
      'warrantRef',
    );
    const arrestWarrant = await ref(
      prosecutor,
      'requestWarrant',
      { kind: 'arrest', suspectRefs: [leader, recruiter, councillor] },
      'warrantRef',
    );
    await cmd(judge, 'approveWarrant', { warrantRef: search });
    await cmd(judge, 'approveWarrant', { warrantRef: arrestWarrant });
    const raidRef = await ref(coordinator, 'planRaid', { locationRefs: [camp, bar, farm] }, 'raidRef');

    // --- the raid: the bar is found empty; nothing is recorded there ---
    await cmd(police, 'reportLocation', { raidRef, locationRef: bar, outcome: 'empty' });
    const atBar = await refused(police, 'recordArrest', {
      suspectRef: leader,
      offenceClass: 'sexual-exploitation',
      warrantRef: arrestWarrant,
      raidRef,
      locationRef: bar,
    });
    expect(atBar).toMatchObject({
      code: 'PRECONDITION',
      message: `locationRef: raid ${raidRef} reported ${bar} empty: no arrest is recorded there`,
    });
    // An arrest needs a legal basis: none is invalid input; a warrant that does not name the suspect is refused.
    const noBasis = await refused(police, 'recordArrest', { suspectRef: guard, offenceClass: 'trafficking', raidRef });
    expect(noBasis).toBeInstanceOf(InvalidInputError);
    const notNamed = await refused(police, 'recordArrest', {
      suspectRef: guard,
      offenceClass: 'trafficking',
      warrantRef: arrestWarrant,
    });
    expect(notNamed).toMatchObject({
      code: 'PRECONDITION',
      message: `warrantRef: arrest warrant ${arrestWarrant} does not name ${guard}`,
    });

    const leaderArrest = await ref(
      police,
      'recordArrest',
      {
        suspectRef: leader,
        offenceClass: 'sexual-exploitation',
        warrantRef: arrestWarrant,
        raidRef,
        locationRef: camp,
      },
      'arrestRef',
    );
    // Caught driving workers out of the camp: in flagrante, and a judge reviews it.
    const transporterArrest = await ref(
      police,
      'recordArrest',
      { suspectRef: transporter, offenceClass: 'trafficking', inFlagrante: true, raidRef, locationRef: camp },
      'arrestRef',
    );
    await cmd(police, 'rescueMinor', { victimRef: minor15, custodyRef: 'CAR-PUERTO-01', raidRef, locationRef: camp });
    await cmd(police, 'rescueMinor', { victimRef: minor16, custodyRef: 'CAR-PUERTO-01', raidRef, locationRef: camp });
    await cmd(police, 'recordSeizure', {
      kind: 'cash',
      description: 'cash from the camp office',
      raidRef,
      locationRef: camp,
    });
    await cmd(police, 'reportLocation', { raidRef, locationRef: camp, outcome: 'secured' });
    // The recruiter is arrested at the farm, for labour exploitation: a 6-second limit under this policy.
    const recruiterArrest = await ref(
      police,
      'recordArrest',
      {
        suspectRef: recruiter,
        offenceClass: 'labour-exploitation',
        warrantRef: arrestWarrant,
        raidRef,
        locationRef: farm,
      },
      'arrestRef',
    );
    await cmd(police, 'reportLocation', { raidRef, locationRef: farm, outcome: 'hostile' });
    await eventually(
      async () => ((await police.status(caseId)).raids?.[0]?.status === 'completed' ? true : undefined),
      20_000,
      'the raid completed',
    );
    // Recorded under the raid after it completed: it still counts.
    await cmd(police, 'recordSeizure', { kind: 'vehicle', description: 'a truck', raidRef, locationRef: farm });
    const raid = (await police.status(caseId)).raids![0]!;
    expect(raid).toMatchObject({
      status: 'completed',
      outcomes: { [camp]: 'secured', [bar]: 'empty', [farm]: 'hostile' },
      figures: { arrests: 3, seizures: 2, minorsRescued: 2 },
    });
    expect((await police.timeline(caseId)).filter((e) => e.type === 'reportLocation').map((e) => e.detail)).toEqual([
      { locationRef: bar, outcome: 'empty' },
      { locationRef: camp, outcome: 'secured' },
      { locationRef: farm, outcome: 'hostile' },
    ]);

    // --- protection: only rescued minors have one, and an adult's "protection" says so ---
    expect((await care.protection(caseId, minor15)).victimRef).toBe(minor15);
    const adultProtection = await prosecutor.protection(caseId, adult).catch((err: unknown) => err);
    expect(adultProtection).toBeInstanceOf(CaseNotFoundError);
    expect((adultProtection as Error).message).toBe(
      `protection: victim ${adult} is not a minor: only a rescued minor has a protection (childProtectionWorkflow)`,
    );
    await expect(care.protection(caseId, adult)).rejects.toThrow(`protection: no minor ${adult} in case ${caseId}`);

    // --- detention: the arrest in flagrante reviewed, the leader remanded, the recruiter's detention lapses ---
    await openTask(judge, 'review-arrest', transporterArrest);
    await cmd(judge, 'confirmArrest', { arrestRef: transporterArrest });
    await cmd(judge, 'endDetention', { arrestRef: transporterArrest, outcome: 'remanded' });
    await cmd(judge, 'endDetention', { arrestRef: leaderArrest, outcome: 'remanded' });
    await openTask(judge, 'release-detainee', recruiterArrest);
    await openTask(oversight, 'review-unlawful-detention', recruiterArrest);
    const extension = await refused(judge, 'extendDetention', { arrestRef: recruiterArrest });
    expect(extension).toBeInstanceOf(CommandRefusedError);
    expect(extension).toMatchObject({ code: 'PRECONDITION' });
    expect(extension.message).toMatch(/the only lawful ruling is release/);
    await cmd(judge, 'endDetention', { arrestRef: recruiterArrest, outcome: 'released' });
    const lapsed = (await judge.status(caseId)).arrests!.find((a) => a.ref === recruiterArrest)!;
    expect(lapsed).toMatchObject({
      status: 'released',
      lapsed: true,
      unlawfulDetention: { from: lapsed.detentionLimitAt, until: expect.any(String) },
    });
    // The system's own acts are on the timeline, marked as such, for the agencies they concern.
    const judicialTimeline = await judge.timeline(caseId);
    expect(
      judicialTimeline.filter((e) => e.source === 'system' && e.ref === recruiterArrest).map((e) => e.type),
    ).toEqual(expect.arrayContaining(['detention-warning', 'detention-expired']));
    await oversight.task('complete', (await openTask(oversight, 'review-unlawful-detention')).id, {
      outcome: 'referred-for-investigation',
    });

    // --- charges and trial; hearings in time ---
    await cmd(prosecutor, 'fileCharges', {
      suspectRefs: [leader, recruiter, transporter, guard, councillor],
      offences: ['human-trafficking', 'sexual-exploitation', 'forced-labour'],
    });
    await cmd(judge, 'openTrial');
    const past = await refused(clerk, 'scheduleHearing', { kind: 'trial', at: '1999-03-01T09:00:00Z' });
    expect(past).toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/^at: a hearing is scheduled in the future/),
    });
    await cmd(clerk, 'recordHearing', { kind: 'preliminary', at: new Date(Date.now() - 86_400_000).toISOString() });
    const trialAt = new Date(Date.now() + 2_000).toISOString();
    const hearingRef = await ref(clerk, 'scheduleHearing', { kind: 'trial', at: trialAt }, 'hearingRef');
    await new Promise((r) => setTimeout(r, 2_500));
    await cmd(clerk, 'recordHearing', { kind: 'trial', at: trialAt, hearingRef });

    // --- the councillor fled: declared in contempt, tried apart; the others are judged one by one ---
    await cmd(judge, 'severDefendant', { suspectRef: councillor, reason: 'contempt-of-court' });
    await cmd(judge, 'recordVerdict', {
      verdicts: [{ suspectRef: leader, outcome: 'convicted', sentenceMonths: 216 }],
    });
    expect((await prosecutor.status(caseId)).stage).toBe('TRIAL'); // others still await their verdicts
    const crossField = await refused(judge, 'recordVerdict', {
      verdicts: [{ suspectRef: guard, outcome: 'dismissed', sentenceMonths: 12 }],
    });
    expect(crossField).toBeInstanceOf(InvalidInputError); // exit 2, not a rule refusal
    await cmd(judge, 'recordVerdict', {
      verdicts: [
        { suspectRef: recruiter, outcome: 'convicted', sentenceMonths: 120 },
        { suspectRef: transporter, outcome: 'acquitted' },
        { suspectRef: guard, outcome: 'dismissed' },
      ],
    });
    expect((await prosecutor.status(caseId)).stage).toBe('JUDGMENT');

    // --- appeals: the defence against the leader's conviction (upheld), the prosecution against an acquittal ---
    await cmd(clerk, 'lodgeAppeal', { suspectRef: leader, by: 'defence' });
    await cmd(prosecutor, 'lodgeAppeal', { suspectRef: transporter, by: 'prosecution' });
    await cmd(clerk, 'scheduleHearing', {
      kind: 'appeal',
      suspectRef: leader,
      at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await openTask(judge, 'decide-appeal', leader);
    await cmd(judge, 'decideAppeal', { suspectRef: leader, decision: 'upheld' });
    await cmd(judge, 'decideAppeal', { suspectRef: transporter, decision: 'retrial' });
    await cmd(judge, 'recordVerdict', {
      verdicts: [{ suspectRef: transporter, outcome: 'convicted', sentenceMonths: 72 }],
    });
    await cmd(clerk, 'waiveAppeal', { suspectRefs: [transporter] });
    // The recruiter's and the guard's windows close unused: their judgments become final on their own.
    const finalOnTheirOwn = await eventually(
      async () => {
        const d = (await judge.status(caseId)).defendants ?? [];
        const done = d.filter((x) => (x.suspectRef === recruiter || x.suspectRef === guard) && x.status === 'final');
        return done.length === 2 ? done : undefined;
      },
      30_000,
      'the appeal windows closing',
    );
    expect(finalOnTheirOwn).toHaveLength(2);

    // --- not closed while the severed proceedings are open; then the councillor, tried later ---
    const early = await refused(prosecutor, 'closeCase', {});
    expect(early).toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringContaining(`${councillor} (severed, to be tried apart)`),
    });
    const severed = (await police.status(caseId)).defendants?.find((d) => d.suspectRef === councillor);
    expect(severed).toMatchObject({ status: 'severed', severance: { reason: 'contempt-of-court' } });
    await cmd(judge, 'recordVerdict', {
      verdicts: [{ suspectRef: councillor, outcome: 'convicted', sentenceMonths: 144 }],
    });
    await cmd(judge, 'waiveAppeal', { suspectRefs: [councillor] });
    await cmd(prosecutor, 'closeCase');

    // --- closed: readable, and refusing commands saying so ---
    await eventually(
      async () => ((await prosecutor.status(caseId)).stage === 'CLOSED' ? true : undefined),
      15_000,
      'CLOSED',
    );
    const closed = await prosecutor.status(caseId);
    expect(closed.defendants?.map((d) => [d.suspectRef, d.status, d.verdict?.outcome])).toEqual([
      [leader, 'final', 'convicted'],
      [recruiter, 'final', 'convicted'],
      [transporter, 'final', 'convicted'],
      [guard, 'final', 'dismissed'],
      [councillor, 'final', 'convicted'],
    ]);
    const late = await refused(police, 'addLocation', { kind: 'farm', district: 'Laberinto' });
    expect(late).toMatchObject({
      code: 'WRONG_STAGE',
      message: `addLocation: case ${caseId} is CLOSED: it takes no more commands`,
    });
    const timeline = await prosecutor.timeline(caseId);
    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['severDefendant', 'lodgeAppeal', 'decideAppeal', 'judgment-final', 'closeCase']),
    );
    expect(timeline.filter((e) => e.type === 'judgment-final').every((e) => e.source === 'system')).toBe(true);
    expect(await prosecutor.policy(caseId)).toEqual(POLICY);
  });

  it('kept the unlawful detention, the outcomes and the official on the AUDIT record, and no name anywhere', async () => {
    const audit = (
      await eventually(async () => {
        const r = await readEvents(g.o.nc, g.o.config.NATS_STREAM, 'cases.AUDIT.>', { caseId });
        return r.events.some((e) => typeOf(e) === 'case-closed') ? r : undefined;
      }, 30_000)
    ).events;
    const types = audit.map(typeOf);
    expect(types).toEqual(
      expect.arrayContaining([
        'conflict-of-interest',
        'detention-expired',
        'unlawful-detention-ended',
        'location-reported',
        'raid-figures-updated',
        'defendant-severed',
        'appeal-lodged',
        'appeal-decided',
        'judgment-final',
        'case-closed',
      ]),
    );
    const ended = audit.find((e) => typeOf(e) === 'unlawful-detention-ended')!;
    expect(ended.data).toMatchObject({ from: expect.any(String), until: expect.any(String) });
    expect(audit.find((e) => typeOf(e) === 'conflict-of-interest')!.data).toMatchObject({
      institution: 'municipality',
      institutionRef: 'MUNI-TAMBOPATA',
    });
    const partnerEvents = (await readEvents(g.o.nc, g.o.config.NATS_STREAM, 'cases.PARTNER.>', { caseId })).events;
    expect(partnerEvents.length).toBeGreaterThan(0); // the partner was never restricted
    const everything = JSON.stringify(audit) + JSON.stringify(partnerEvents);
    for (const name of Object.values(NAMES)) expect(everything).not.toContain(name);
    expect(everything).not.toContain('regidor');
  });
});
