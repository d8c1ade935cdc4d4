/**
 * Key rotation on running cases.
 * Phase 1: a worker and client with keyring {k1} open cases and drive them partway, then stop.
 * Phase 2: worker and client restarted with CODEC_KEYS `k1:...,k2:...` (the last entry is active) carry the same
 * cases on to CLOSED and ARCHIVED. The stored histories show k1 on every payload written before the restart and k2
 * on every payload after it, in the cases and in the raid child.
 * Phase 3: a worker holding only k2 (k1 dropped too early) cannot replay a history begun under k1. Its workflow
 * task fails with an error naming key id "k1" (the failure itself is recorded encrypted, so reading it takes the
 * codec), queries fail, and nothing is ever answered from or written as plaintext.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { caseWorkflowId } from '../../src/domain/case-state';
import { EncryptionCodec } from '../../src/temporal/codec';
import { parseKeyList } from '../../src/temporal/keyring';
import { investigating, JUDGE, POLICE, PROSECUTION, raided } from '../support/case-steps';
import {
  eventually,
  startOrchestrator,
  testConfig,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';
import { findPayloads, fromBase64, payloadKind, showHistory, unexpectedMarkerFields } from '../support/temporal-cli';

jest.setTimeout(600_000);

const K1 = `k1:${randomBytes(32).toString('base64')}`;
const K2 = `k2:${randomBytes(32).toString('base64')}`;

interface StoredPayload {
  eventId: number;
  eventType: string;
  path: string;
  encoding: string;
  keyId: string;
}

/** Every data payload of a workflow's raw history as stored, with its event id and key id. */
async function storedPayloads(address: string, workflowId: string): Promise<StoredPayload[]> {
  const r = await showHistory(address, workflowId);
  if (r.code !== 0) throw new Error(`temporal workflow show ${workflowId} failed: ${r.stderr}`);
  const history = JSON.parse(r.stdout) as { events: { eventId: string; eventType: string }[] };
  const all = findPayloads(history);
  // Core's marker bookkeeping is plain JSON by design; it must hold nothing but that bookkeeping.
  for (const p of all.filter((q) => payloadKind(q) === 'core-marker')) expect(unexpectedMarkerFields(p)).toEqual([]);
  return all
    .filter((p) => payloadKind(p) === 'data')
    .map((p) => {
      const event = history.events[Number(p.path.split('.')[1])]!;
      return {
        eventId: Number(event.eventId),
        eventType: event.eventType,
        path: p.path,
        encoding: fromBase64(p.metadata.encoding),
        keyId: fromBase64(p.metadata['encryption-key-id']),
      };
    });
}

/** The id of the last event stored, read with the CLI (no keys needed, and no client of ours involved). */
async function lastEventId(address: string, workflowId: string): Promise<number> {
  const r = await showHistory(address, workflowId);
  if (r.code !== 0) throw new Error(`temporal workflow show ${workflowId} failed: ${r.stderr}`);
  const { events } = JSON.parse(r.stdout) as { events: { eventId: string }[] };
  return Number(events.at(-1)?.eventId ?? 0);
}

describe('encryption key rotation', () => {
  const taskQueue = `test-rotation-${randomBytes(4).toString('hex')}`;
  const closing = uniqueCaseId('ROT-CLOSE');
  const archiving = uniqueCaseId('ROT-ARC');
  const untouched = uniqueCaseId('ROT-OLD');
  let raidWorkflowId = '';
  let raid: Awaited<ReturnType<typeof raided>>;
  const rotatedAt = new Map<string, number>();
  let address = '';
  let running: TestOrchestrator | undefined;

  const start = async (keys: string) => {
    running = await startOrchestrator({ config: testConfig({ CODEC_KEYS: keys, TEMPORAL_TASK_QUEUE: taskQueue }) });
    return running;
  };
  const stop = async () => {
    const o = running;
    running = undefined;
    await o?.stop();
  };

  afterAll(stop);

  it('phase 1, keyring {k1}: opens cases and drives them partway', async () => {
    const o = await start(K1);
    address = o.config.TEMPORAL_ADDRESS;
    raid = await raided(o.cases, closing, { suspects: 2, locations: 2 });
    raidWorkflowId = `${caseWorkflowId(closing)}-raid-${raid.raidRef}`;
    await investigating(o.cases, archiving, { suspects: 1, locations: 1 });
    await investigating(o.cases, untouched, { suspects: 1, locations: 0 });
    expect((await o.cases.status(closing)).stage).toBe('OPERATION');
    await eventually(
      async () => ((await o.cases.status(closing)).pendingEvents === 0 ? true : undefined),
      30_000,
      'outbox drained',
    );
    // A clean stop: once it returns, everything the k1 worker writes is in history.
    await stop();
    for (const id of [caseWorkflowId(closing), caseWorkflowId(archiving), raidWorkflowId]) {
      rotatedAt.set(id, await lastEventId(address, id));
    }
  });

  it('phase 2, keyring {k1, k2} with k2 active: the same cases carry on to CLOSED and ARCHIVED', async () => {
    const o = await start(`${K1},${K2}`);
    // Reads state built under k1 (a fresh worker replays the k1 payloads), then writes under k2.
    expect((await o.cases.status(closing)).suspects).toHaveLength(2);
    const arrests: string[] = [];
    for (const [i, locationRef] of raid.locations.entries()) {
      const suspectRef = raid.suspects[i]!;
      const args = { suspectRef, offenceClass: 'trafficking', inFlagrante: true, raidRef: raid.raidRef, locationRef };
      arrests.push(String((await o.cases.command(closing, 'recordArrest', POLICE, args)).arrestRef));
      await o.cases.command(closing, 'reportLocation', POLICE, {
        raidRef: raid.raidRef,
        locationRef,
        outcome: 'secured',
      });
    }
    for (const arrestRef of arrests) {
      await o.cases.command(closing, 'endDetention', JUDGE, { arrestRef, outcome: 'remanded' });
    }
    await o.cases.command(closing, 'fileCharges', PROSECUTION, {
      suspectRefs: raid.suspects,
      offences: ['human-trafficking'],
    });
    await o.cases.command(closing, 'openTrial', JUDGE);
    await o.cases.command(closing, 'recordVerdict', JUDGE, {
      verdicts: raid.suspects.map((suspectRef) => ({ suspectRef, outcome: 'convicted', sentenceMonths: 120 })),
    });
    await o.cases.command(closing, 'waiveAppeal', JUDGE, { suspectRefs: raid.suspects });
    await o.cases.command(closing, 'closeCase', PROSECUTION);

    await o.cases.command(archiving, 'addSuspect', PROSECUTION, { name: 'Added After Rotation', roles: ['member'] });
    await o.cases.command(archiving, 'archiveCase', PROSECUTION, { reason: 'insufficient-evidence' });

    const result = (id: string) => o.temporal.workflow.getHandle(id).result();
    expect(await result(caseWorkflowId(closing))).toMatchObject({ caseId: closing, stage: 'CLOSED' });
    expect(await result(caseWorkflowId(archiving))).toMatchObject({ caseId: archiving, stage: 'ARCHIVED' });
    await result(raidWorkflowId); // the raid child, started under k1, completed under k2
    expect((await o.cases.status(untouched)).stage).toBe('INVESTIGATION');
  });

  it('stores k1 on every payload written before the restart and k2 on every payload after it', async () => {
    for (const workflowId of [caseWorkflowId(closing), caseWorkflowId(archiving), raidWorkflowId]) {
      const boundary = rotatedAt.get(workflowId)!;
      const payloads = await storedPayloads(address, workflowId);
      expect(payloads.filter((p) => p.encoding !== 'binary/encrypted').map((p) => p.path)).toEqual([]);
      const before = payloads.filter((p) => p.eventId <= boundary);
      const after = payloads.filter((p) => p.eventId > boundary);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      const wrong = [...before.filter((p) => p.keyId !== 'k1'), ...after.filter((p) => p.keyId !== 'k2')];
      expect(
        wrong.map((p) => `${workflowId} #${p.eventId} ${p.eventType} ${p.path}: ${p.keyId} (boundary ${boundary})`),
      ).toEqual([]);
    }
  });

  it('phase 3, keyring {k2} only: a history begun under k1 cannot be read; the error names key id "k1"', async () => {
    await stop();
    const o = await start(K2);
    const handle = o.temporal.workflow.getHandle(caseWorkflowId(untouched));
    const before = await lastEventId(address, handle.workflowId);

    // A signal makes a workflow task, so the failure is recorded in history (without a handler it is harmless).
    // It goes first: a query alone reaches the worker as a "legacy query" task, and the TypeScript SDK (1.24), when
    // that replay also answers the history's Updates, sends a completion its core refuses and shuts the worker down
    // (seen here as a race). Once a workflow task is pending, the query travels with it instead.
    await handle.signal('key-rotation-probe');
    const failed = await eventually(
      async () => {
        const { events } = await handle.fetchHistory();
        return (
          events?.find((e) => Number(e.eventId) > before && e.workflowTaskFailedEventAttributes)
            ?.workflowTaskFailedEventAttributes ?? undefined
        );
      },
      60_000,
      'a failed workflow task',
    );
    // Failure messages are encrypted like any payload (they may quote data): only a key holder reads them.
    expect(failed.failure?.message).toBe('Encoded failure');
    const encoded = failed.failure?.encodedAttributes as Payload;
    expect(Buffer.from(encoded.metadata!['encryption-key-id']!).toString()).toBe('k2');
    const [decoded] = await new EncryptionCodec(parseKeyList(K2)).decode([encoded]);
    const attributes = defaultPayloadConverter.fromPayload<{ message: string }>(decoded!);
    expect(attributes.message).toMatch(/unknown key id "k1"/);
    expect(attributes.message).toMatch(/add that key to the keyring/);
    // Nor can a query be answered: it waits on the failing workflow task until the server gives up on it (or, when
    // it reaches a worker alone, fails with the encrypted "Encoded failure").
    await expect(o.cases.status(untouched)).rejects.toThrow(/Failed to query Workflow|Encoded failure/);

    // Nothing was written under the wrong key or in the clear meanwhile.
    const after = await storedPayloads(address, handle.workflowId);
    expect(after.filter((p) => p.encoding !== 'binary/encrypted')).toEqual([]);
    expect(new Set(after.filter((p) => p.eventId <= before).map((p) => p.keyId))).toEqual(new Set(['k1']));
    await stop();
  });
});
