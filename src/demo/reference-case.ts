/**
 * The reference case of the design brief, as a script of agency commands: months of investigation
 * compressed into one run. An 18-location raid, 14 arrests under an arrest warrant (a former national
 * police chief among them), a five-month-old girl taken into protective custody, seizures with custody
 * transfers, charges, trial, verdicts, the appeal waived. Used by `npm run demo` and by the end-to-end test, so both drive the same
 * story through the same client. The names below are invented; they exist to prove they never leak.
 */
import type { HumanTask } from '../domain/tasks';

export const REFERENCE_CASE = {
  codename: 'CUNA',
  jurisdiction: 'PE-LIM',
  crimeTypes: ['human-trafficking', 'sale-of-children', 'illegal-abortion', 'organized-crime'],
  priority: 'urgent',
  leadProsecutor: { staffId: 'fiscal-017' },
  summary: 'Ring paying pregnant women in economic distress to give up newborns, then selling the babies.',
} as const;

/** Invented personal data used in the run; none of it may appear outside encrypted payloads. */
export const PERSONAL_NAMES = {
  babyGirl: 'Luciana Quispe Mamani',
  mother: 'Rosa Mamani Condori',
  witness: 'Teodoro Huaman Vilca',
  formerPoliceChief: 'Aurelio Benavides Tapia',
  partner: 'Maritza Ocampo Rivas',
  pediatrician: 'Ernesto Salinas Prado',
  gynecologist: 'Gladys Paredes Chavez',
  father: 'Julio Quispe Flores',
  motherSuspect: 'Carmen Mamani Rojas',
} as const;

/**
 * One person (or agency system) at work on the case: what the story needs of a client. Through the gateway
 * each desk is a CasesClient with that person's token (src/demo/desks.ts); tests that drive Temporal directly
 * use CaseService with a fixed actor instead.
 */
export interface Desk {
  /** The staff id the desk's token carries (for clearances and custody signatures). */
  readonly staffId: string;
  open(input: unknown): Promise<{ created: boolean; workflowId: string }>;
  command(caseId: string, name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  completeTask(taskId: string, outcome: string): Promise<unknown>;
  protection(caseId: string, victimRef: string): Promise<{ openTasks: HumanTask[] }>;
}

/** Who works the reference case: the lead prosecutor, the coordinator, a vetted police unit, a judge, child protection. */
export interface Desks {
  prosecutor: Desk;
  coordinator: Desk;
  police: Desk;
  evidenceRoom: Desk;
  judge: Desk;
  care: Desk;
}

export interface ReferenceRun {
  caseId: string;
  suspects: string[];
  locations: string[];
  arrests: string[];
  items: string[];
  minor: string;
  raidRef: string;
  protectionWorkflowId: string;
}

/** Told of each phase; the demo awaits it to show inboxes along the way. */
export type Progress = (step: string, detail?: Record<string, unknown>) => void | Promise<void>;

/** Runs the whole story to CLOSED, telling `progress` of each phase. */
export async function runReferenceCase(
  desks: Desks,
  caseId: string,
  progress: Progress = () => undefined,
): Promise<ReferenceRun> {
  const { prosecutor: PROSECUTION, coordinator: COORDINATOR, police: POLICE, judge: JUDGE, care: CARE } = desks;
  const cmd = async (name: string, by: Desk, args: Record<string, unknown> = {}) => by.command(caseId, name, args);
  const ref = async (name: string, by: Desk, args: Record<string, unknown>, field: string) =>
    String((await cmd(name, by, args))[field]);

  const opened = await PROSECUTION.open({ caseId, ...REFERENCE_CASE });
  await progress(opened.created ? 'case opened' : 'case already open', { caseId, workflowId: opened.workflowId });
  await cmd('startInvestigation', PROSECUTION);

  // Investigation: suspects (14 will be arrested), victims under pseudonyms, a witness, 18 places.
  const suspects: string[] = [];
  const addSuspect = async (args: Record<string, unknown>) =>
    suspects.push(await ref('addSuspect', PROSECUTION, args, 'suspectRef'));
  await addSuspect({
    name: PERSONAL_NAMES.formerPoliceChief,
    roles: ['leader'],
    official: { institution: 'police', current: false, rank: 'former national police chief' },
  });
  await addSuspect({ name: PERSONAL_NAMES.partner, roles: ['leader'] });
  await addSuspect({ name: PERSONAL_NAMES.pediatrician, roles: ['medical'] });
  await addSuspect({ name: PERSONAL_NAMES.gynecologist, roles: ['medical'] });
  await addSuspect({ name: PERSONAL_NAMES.father, roles: ['parent'] });
  await addSuspect({ name: PERSONAL_NAMES.motherSuspect, roles: ['parent'] });
  for (let i = 1; i <= 8; i++) await addSuspect({ name: `Member ${i} Apellido`, roles: ['member'] });
  await progress('suspects identified', {
    suspects: suspects.length,
    conflictOfInterest: 'POLICE (former chief) restricted',
  });
  // POLICE is restricted from here on: only a vetted unit, cleared by name by the prosecution, works the case.
  for (const desk of [POLICE, desks.evidenceRoom]) {
    await cmd('clearStaff', PROSECUTION, { agency: 'POLICE', staffId: desk.staffId });
  }
  await progress('vetted police unit cleared', { cleared: [POLICE.staffId, desks.evidenceRoom.staffId] });

  const minor = await ref(
    'addVictim',
    POLICE,
    { name: PERSONAL_NAMES.babyGirl, minor: true, ageMonths: 5, sex: 'female' },
    'victimRef',
  );
  await ref('addVictim', PROSECUTION, { name: PERSONAL_NAMES.mother, minor: false, sex: 'female' }, 'victimRef');
  await ref('addWitness', PROSECUTION, { name: PERSONAL_NAMES.witness, protected: true }, 'witnessRef');
  const locations: string[] = [];
  for (let i = 1; i <= 18; i++) {
    const kind = i <= 12 ? 'home' : i <= 16 ? 'business' : 'clinic';
    locations.push(
      await ref(
        'addLocation',
        POLICE,
        { kind, district: i % 2 ? 'Cercado' : 'San Juan de Lurigancho', address: `Jr. Privado ${100 + i}` },
        'locationRef',
      ),
    );
  }
  await progress('investigation recorded', { victims: 2, minorPseudonym: minor, locations: locations.length });

  // Warrants: requested by the prosecutor, decided by a judge.
  const search = await cmd('requestWarrant', PROSECUTION, { kind: 'search', locationRefs: locations });
  const arrest = await cmd('requestWarrant', PROSECUTION, { kind: 'arrest', suspectRefs: suspects });
  await progress('warrants requested', { search: search.warrantRef, arrest: arrest.warrantRef });
  await cmd('approveWarrant', JUDGE, { warrantRef: search.warrantRef });
  await cmd('approveWarrant', JUDGE, { warrantRef: arrest.warrantRef });
  await progress('warrants approved', { search: search.warrantRef, arrest: arrest.warrantRef });

  // The early-morning raid on 18 homes and businesses.
  const raid = await cmd('planRaid', COORDINATOR, { locationRefs: locations });
  const raidRef = String(raid.raidRef);
  await progress('raid planned', { raidRef, locations: locations.length });
  const arrests: string[] = [];
  const items: string[] = [];
  let protectionWorkflowId = '';
  for (const [i, locationRef] of locations.entries()) {
    if (i < 14) {
      const suspectRef = suspects[i]!;
      const offenceClass = i < 2 ? 'organized-crime' : 'child-sale';
      // Each arrest cites the arrest warrant that names the suspect.
      const warrantRef = arrest.warrantRef;
      arrests.push(
        await ref('recordArrest', POLICE, { suspectRef, offenceClass, warrantRef, raidRef, locationRef }, 'arrestRef'),
      );
    }
    if (i === 0) {
      items.push(
        await ref(
          'recordSeizure',
          POLICE,
          { kind: 'cash', description: 'about USD 30,000 in cash', raidRef, locationRef },
          'itemRef',
        ),
      );
      items.push(
        await ref(
          'recordSeizure',
          POLICE,
          { kind: 'documents', description: 'ledgers and adoption paperwork', raidRef, locationRef },
          'itemRef',
        ),
      );
    }
    if (i === 1 || i === 2)
      items.push(
        await ref(
          'recordSeizure',
          POLICE,
          { kind: 'vehicle', description: `vehicle ${i}`, raidRef, locationRef },
          'itemRef',
        ),
      );
    if (i < 4)
      items.push(
        await ref(
          'recordSeizure',
          POLICE,
          { kind: 'phone', description: `mobile phones, location ${i + 1}`, raidRef, locationRef },
          'itemRef',
        ),
      );
    if (i === 4) {
      const rescue = await cmd('rescueMinor', POLICE, {
        victimRef: minor,
        custodyRef: 'MIMP-CAR-07',
        raidRef,
        locationRef,
      });
      protectionWorkflowId = String(rescue.protectionWorkflowId);
    }
    await cmd('reportLocation', POLICE, { raidRef, locationRef, outcome: 'secured' });
  }
  await progress('raid executed', { arrests: arrests.length, seizedItems: items.length, minorsRescued: 1 });

  // Chain of custody: seizing officer -> evidence room -> prosecution for the trial.
  for (const itemRef of items) {
    await cmd('transferCustody', POLICE, {
      itemRef,
      to: { agency: 'POLICE', staffId: desks.evidenceRoom.staffId },
      reason: 'evidence-storage',
    });
    await cmd('transferCustody', desks.evidenceRoom, {
      itemRef,
      to: { agency: 'PROSECUTION', staffId: PROSECUTION.staffId },
      reason: 'court-exhibit',
    });
  }
  await progress('custody transferred', { items: items.length, transfersEach: 2 });

  await progress('protection referred', { minor, protectionWorkflowId });
  // Child protection: referral, medical exam, placement, care plan, each a task the agency completes.
  await completeProtection(CARE, caseId, minor);
  await progress('minor protected', { minor, protectionWorkflowId });

  // Detention: a judge remands the arrestees pending trial (stopping the police clocks).
  for (const arrestRef of arrests) await cmd('endDetention', JUDGE, { arrestRef, outcome: 'remanded' });
  await progress('detention ruled', { remanded: arrests.length });

  await cmd('fileCharges', PROSECUTION, {
    suspectRefs: suspects.slice(0, 14),
    offences: ['human-trafficking', 'sale-of-children', 'organized-crime'],
  });
  await cmd('openTrial', JUDGE);
  await cmd('scheduleHearing', JUDGE, { kind: 'trial', at: new Date(Date.now() + 86_400_000).toISOString() });
  const verdicts = suspects
    .slice(0, 14)
    .map((suspectRef, i) =>
      i === 13
        ? { suspectRef, outcome: 'acquitted' }
        : { suspectRef, outcome: 'convicted', sentenceMonths: i < 2 ? 300 : 180 },
    );
  await cmd('recordVerdict', JUDGE, { verdicts });
  await progress('verdict recorded', { convicted: 13, acquitted: 1 });
  // Each verdict opens an appeal window (the policy's); here the parties waive appeal, so every judgment is final
  // now and the case may close (with no waiver it closes once the windows have passed).
  await cmd('waiveAppeal', JUDGE, { suspectRefs: suspects.slice(0, 14) });
  await progress('judgments final', { appealWaived: 14 });
  await cmd('closeCase', PROSECUTION);
  await progress('case closed', { caseId });
  return { caseId, suspects, locations, arrests, items, minor, raidRef, protectionWorkflowId };
}

/** Completes every protection step of a minor, in the order the workflow opens them. */
export async function completeProtection(by: Desk, caseId: string, victimRef: string): Promise<void> {
  const outcomes: Record<string, string> = {
    'accept-referral': 'accepted',
    'medical-exam': 'examined-malnourished',
    placement: 'residential-care-centre',
    'care-plan': 'care-plan-approved',
  };
  for (let round = 0; round < 10; round++) {
    const open: HumanTask[] = (await by.protection(caseId, victimRef)).openTasks;
    if (open.length === 0) return;
    for (const task of open) await by.completeTask(task.id, outcomes[task.kind] ?? 'done');
  }
  throw new Error(`protection of ${victimRef} did not finish`);
}
