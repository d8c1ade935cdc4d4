/**
 * Records workflow histories for the replay tests (test/unit/replay.test.ts). Not part of `npm test`:
 * run `npm run record-histories` after a deliberate, patched workflow change, and commit the files.
 * Payloads are decoded before saving, so the fixtures need no key (their data is invented).
 */
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { temporalBinary } from '../support/servers';
import { caseWorkflowId, protectionWorkflowId, raidWorkflowId } from '../../src/domain/case-state';
import { resolvePolicy } from '../../src/domain/policy';
import { completeProtection } from '../../src/demo/reference-case';
import { serviceDesk } from '../../src/demo/desks';
import { EncryptionCodec, ENCODING_ENCRYPTED } from '../../src/temporal/codec';
import { loadKeyring } from '../../src/temporal/keyring';
import { CARE, JUDGE, OVERSIGHT, POLICE, PROSECUTION, raided, smallCase } from '../support/case-steps';
import type { Actor } from '../../src/domain/actors';

/** Assigning the lead prosecutor is the coordinating prosecutor's call. */
const COORDINATOR: Actor = { ...PROSECUTION, staffId: 'fiscal-coord-1', roles: ['coordinating-prosecutor'] };
import { eventually, startOrchestrator, uniqueCaseId, type TestOrchestrator } from '../support/orchestrator';

jest.setTimeout(300_000);

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Decodes every encrypted payload of a history in its JSON form (base64 fields). */
async function decodeJson(node: unknown, codec: EncryptionCodec): Promise<unknown> {
  if (Array.isArray(node)) return Promise.all(node.map((n) => decodeJson(n, codec)));
  if (node === null || typeof node !== 'object') return node;
  const p = node as JsonPayload;
  if (p.metadata?.encoding && Buffer.from(p.metadata.encoding, 'base64').toString() === ENCODING_ENCRYPTED) {
    const [decoded] = await codec.decode([
      {
        metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(p.data ?? '', 'base64'),
      },
    ]);
    return {
      metadata: Object.fromEntries(
        Object.entries(decoded!.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(decoded!.data ?? new Uint8Array()).toString('base64'),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = await decodeJson(v, codec);
  return out;
}

async function saveHistory(
  o: TestOrchestrator,
  workflowId: string,
  runId: string | undefined,
  name: string,
): Promise<void> {
  // The CLI's JSON is the format replay takes (historyToJSON trips over jest's module registry).
  const json = execFileSync(temporalBinary(), [
    'workflow',
    'show',
    '--address',
    o.config.TEMPORAL_ADDRESS,
    '-w',
    workflowId,
    ...(runId ? ['-r', runId] : []),
    '--output',
    'json',
    '--no-json-shorthand-payloads',
  ]).toString();
  const decoded = await decodeJson(JSON.parse(json), new EncryptionCodec(loadKeyring(o.config)));
  writeFileSync(`${__dirname}/../histories/${name}.json`, `${JSON.stringify(decoded, null, 1)}\n`);
}

function save(o: TestOrchestrator, workflowId: string, name: string): Promise<void> {
  return saveHistory(o, workflowId, undefined, name);
}

it('records the lifecycle, deadline and continue-as-new histories', async () => {
  const policy = resolvePolicy({
    detention: {
      limit: { trafficking: '2s', 'child-sale': '2s' },
      warnBefore: '1s',
      extension: '1h',
      flagranteReview: '1h',
    },
    raidReportWindow: '2s',
    appeal: { window: '3s', decision: '1h' },
  });
  const o = await startOrchestrator({ policy });
  try {
    // A compact lifecycle touching every command and every timer: 3 locations (one secured, two found empty),
    // an arrest under a warrant and one in flagrante (both left to lapse, then released), an official among the
    // suspects, a rescued minor, three defendants (one severed and tried later, one appealed, one whose appeal
    // window closes unused).
    const caseId = uniqueCaseId('REPLAY');
    const { suspects, locations, raidRef, arrestWarrantRef } = await raided(o.cases, caseId, {
      suspects: 3,
      locations: 3,
    });
    const cmd = (name: string, by: typeof POLICE, args: Record<string, unknown> = {}) =>
      o.cases.command(caseId, name, by, args);
    const openTask = (kind: string) =>
      eventually(async () => (await o.cases.status(caseId)).openTasks.find((t) => t.kind === kind));
    await cmd('assignProsecutor', COORDINATOR, { staffId: 'fiscal-2' });
    // The former officer below restricts POLICE; its officer on the case is cleared by name first.
    await cmd('clearStaff', PROSECUTION, { agency: 'POLICE', staffId: POLICE.staffId! });
    await cmd('addSuspect', PROSECUTION, {
      name: 'Former Officer',
      roles: ['member'],
      official: { institution: 'police', current: false, rank: 'sergeant' },
    });
    await o.cases.task('completeTask', (await openTask('review-official')).id, OVERSIGHT, {
      outcome: 'investigation-opened',
    });
    await cmd('addWitness', PROSECUTION, { name: 'Some Witness', protected: true });
    const { victimRef } = await cmd('addVictim', POLICE, { name: 'Some Child', minor: true, ageMonths: 5 });
    const { arrestRef } = await cmd('recordArrest', POLICE, {
      suspectRef: suspects[0],
      offenceClass: 'trafficking',
      warrantRef: arrestWarrantRef,
      raidRef,
      locationRef: locations[0],
    });
    const second = await cmd('recordArrest', POLICE, {
      suspectRef: suspects[1],
      offenceClass: 'child-sale',
      inFlagrante: true,
      raidRef,
    });
    await cmd('confirmArrest', JUDGE, { arrestRef: second.arrestRef });
    const { itemRef } = await cmd('recordSeizure', POLICE, {
      kind: 'cash',
      description: 'cash',
      raidRef,
      locationRef: locations[0],
    });
    await cmd('transferCustody', POLICE, {
      itemRef,
      to: { agency: 'PROSECUTION', staffId: PROSECUTION.staffId },
      reason: 'court-exhibit',
    });
    await cmd('rescueMinor', POLICE, { victimRef, custodyRef: 'SHELTER-1', raidRef });
    await cmd('reportLocation', POLICE, { raidRef, locationRef: locations[0], outcome: 'secured' });
    // Let the detention clocks and the raid report window lapse: release is the only ruling left.
    await openTask('release-detainee');
    await o.cases.task('completeTask', (await openTask('review-unlawful-detention')).id, OVERSIGHT, {
      outcome: 'referred-for-investigation',
    });
    await new Promise((r) => setTimeout(r, 2_500));
    for (const l of locations.slice(1))
      await cmd('reportLocation', POLICE, { raidRef, locationRef: l, outcome: 'empty' });
    await cmd('endDetention', JUDGE, { arrestRef, outcome: 'released' });
    await cmd('endDetention', JUDGE, { arrestRef: second.arrestRef, outcome: 'released' });
    await completeProtection(serviceDesk(o.cases, CARE), caseId, String(victimRef));
    await cmd('fileCharges', PROSECUTION, { suspectRefs: suspects, offences: ['human-trafficking'] });
    await cmd('openTrial', JUDGE);
    const { hearingRef } = await cmd('scheduleHearing', JUDGE, {
      kind: 'trial',
      at: new Date(Date.now() + 60_000).toISOString(),
    });
    await cmd('recordHearing', JUDGE, { kind: 'trial', at: new Date().toISOString(), hearingRef });
    await cmd('severDefendant', JUDGE, { suspectRef: suspects[2], reason: 'fugitive' });
    await cmd('recordVerdict', JUDGE, {
      verdicts: [
        { suspectRef: suspects[0], outcome: 'convicted', sentenceMonths: 120 },
        { suspectRef: suspects[1], outcome: 'acquitted' },
      ],
    });
    await cmd('lodgeAppeal', JUDGE, { suspectRef: suspects[0], by: 'defence' });
    await cmd('decideAppeal', JUDGE, { suspectRef: suspects[0], decision: 'upheld' });
    // The acquittal's appeal window closes unused: final by the timer.
    await eventually(async () =>
      (await o.cases.status(caseId)).defendants?.find((d) => d.suspectRef === suspects[1])?.status === 'final'
        ? true
        : undefined,
    );
    // The fugitive, tried later.
    await cmd('recordVerdict', JUDGE, { verdicts: [{ suspectRef: suspects[2], outcome: 'convicted' }] });
    await cmd('waiveAppeal', JUDGE, { suspectRefs: [suspects[2]] });
    await cmd('closeCase', PROSECUTION);
    await o.temporal.workflow.getHandle(caseWorkflowId(caseId)).result();
    await save(o, caseWorkflowId(caseId), 'case-lifecycle');
    await save(o, raidWorkflowId(caseId, String(raidRef)), 'raid-operation');
    await save(o, protectionWorkflowId(caseId, String(victimRef)), 'child-protection');

    // A case that continues as new: its first run ends in ContinueAsNew.
    const canId = uniqueCaseId('REPLAYCAN');
    await o.cases.open(PROSECUTION, smallCase(canId), { maxHistoryLength: 60 });
    await o.cases.command(canId, 'startInvestigation', PROSECUTION);
    const first = (await o.temporal.workflow.getHandle(caseWorkflowId(canId)).describe()).runId;
    for (let i = 0; i < 15; i++)
      await o.cases.command(canId, 'addLocation', POLICE, { kind: 'home', district: `D${i}` });
    await eventually(async () =>
      (await o.temporal.workflow.getHandle(caseWorkflowId(canId)).describe()).runId !== first ? true : undefined,
    );
    await saveHistory(o, caseWorkflowId(canId), first, 'case-continued-as-new');
  } finally {
    await o.stop();
  }
});
