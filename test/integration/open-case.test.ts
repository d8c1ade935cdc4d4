/**
 * The foundation slice, real all the way: a case opened through the client starts one workflow in
 * Temporal and its case-opened event reaches each receiving agency through a JetStream durable consumer.
 */
import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import { caseWorkflowId } from '../../src/domain/case-state';
import { toAgencyMessages } from '../../src/domain/views';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { InvalidInputError } from '../../src/client/errors';
import { PROSECUTION } from '../support/case-steps';
import {
  eventually,
  readEvents,
  startOrchestrator,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';

const reference = JSON.parse(readFileSync(`${__dirname}/../fixtures/reference-case.json`, 'utf8')) as Record<
  string,
  unknown
>;

describe('opening a case', () => {
  let o: TestOrchestrator;
  beforeAll(async () => {
    o = await startOrchestrator();
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('starts one workflow and delivers one case-opened event per agency, even when opened twice', async () => {
    const caseId = uniqueCaseId('OPEN');
    const first = await o.cases.open(PROSECUTION, { ...reference, caseId });
    const second = await o.cases.open(PROSECUTION, { ...reference, caseId });
    expect(first).toMatchObject({ caseId, workflowId: caseWorkflowId(caseId), created: true });
    expect(second).toMatchObject({ caseId, created: false });

    const description = await o.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe();
    expect(description.type).toBe('caseWorkflow');
    expect(description.status.name).toBe('RUNNING');
    const runs = [];
    for await (const wf of o.temporal.workflow.list({ query: `WorkflowId = '${caseWorkflowId(caseId)}'` }))
      runs.push(wf);
    expect(runs).toHaveLength(1);

    // The outbox drains once JetStream acknowledged the event.
    await eventually(
      async () => ((await o.cases.status(caseId)).pendingEvents === 0 ? true : undefined),
      15_000,
      'outbox drained',
    );

    const police = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.POLICE.>', { caseId, expected: 1 });
    expect(police.events.map((e) => e.type)).toEqual(['org.case-orchestrator.case-opened']);
    expect(police.events[0]).toMatchObject({ specversion: '1.0', subject: caseId, id: `${caseWorkflowId(caseId)}.1` });
    // POLICE's view: no lead prosecutor, no summary.
    expect(Object.keys(police.events[0]!.data as object).sort()).toEqual([
      'caseId',
      'codename',
      'crimeTypes',
      'jurisdiction',
      'priority',
    ]);

    // Publishing the same event again (an activity retry) is acknowledged as a duplicate and stored once.
    const status = await o.cases.status(caseId);
    expect(status.eventsEmitted).toBe(1);
    const replay = toAgencyMessages(caseWorkflowId(caseId), {
      seq: 1,
      type: 'case-opened',
      at: status.openedAt,
      caseId,
      data: {},
      restricted: [],
    });
    const acks = await publishAgencyMessages(jetstream(o.nc), replay, {
      streamName: o.config.NATS_STREAM,
      timeoutMs: 5_000,
    });
    expect(acks.every((a) => a.duplicate)).toBe(true);
    const again = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.POLICE.>', { caseId, expected: 1 });
    expect(again.events).toHaveLength(1);
    const audit = await readEvents(o.nc, o.config.NATS_STREAM, 'cases.AUDIT.>', { caseId, expected: 1 });
    expect(audit.events).toHaveLength(1);
  });

  it('refuses a malformed case file naming the field, and starts nothing', async () => {
    const caseId = uniqueCaseId('BAD');
    await expect(o.cases.open(PROSECUTION, { ...reference, caseId, jurisdiction: 'lima' })).rejects.toThrow(
      new InvalidInputError('case.jurisdiction: must look like PE-LIM (country-region codes)'),
    );
    await expect(o.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).rejects.toThrow(/not found/i);
  });
});
