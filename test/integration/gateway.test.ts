/**
 * The one door, against real servers: the development identity provider (a process), the gateway, Temporal,
 * NATS. Identity comes from verified tokens only; every refusal is asserted with the case's history unchanged.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { AccessDeniedError, CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../../src/client/errors';
import { caseWorkflowId } from '../../src/domain/case-state';
import { commandCatalogue } from '../../src/domain/catalogue';
import type { CloudEvent } from '../../src/domain/envelope';
import { raidCompletedSignal } from '../../workflows/messages';
import { startGateway, type TestGateway } from '../support/gateway';
import { forgeTokens } from '../support/identity';
import { eventually, readEvents, uniqueCaseId } from '../support/orchestrator';
import { temporalCli } from '../support/temporal-cli';

jest.setTimeout(180_000);

const smallCase = (caseId: string) => ({
  caseId,
  codename: 'PUERTA',
  jurisdiction: 'PE-CUS',
  crimeTypes: ['forced-labour', 'sexual-exploitation'],
  leadProsecutor: { staffId: 'fiscal-017' },
});

describe('the gateway: one door, identity from credentials only', () => {
  let g: TestGateway;
  const historyLength = async (caseId: string) =>
    (await g.o.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).historyLength;

  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    await g?.stop();
  });

  /** A case in investigation with one suspect and two locations, opened and driven by the lead prosecutor. */
  async function investigation(prefix: string) {
    const caseId = uniqueCaseId(prefix);
    const prosecutor = g.as('fiscal-017');
    expect((await prosecutor.open(smallCase(caseId))).created).toBe(true);
    await prosecutor.command(caseId, 'startInvestigation');
    const police = g.asClient('police-system');
    const s = (await police.command(caseId, 'addSuspect', { name: 'Capataz Inventado', roles: ['member'] })).result;
    const l1 = (await police.command(caseId, 'addLocation', { kind: 'other', district: 'Madre de Dios' })).result;
    const l2 = (await police.command(caseId, 'addLocation', { kind: 'business', district: 'Cusco' })).result;
    return { caseId, suspectRef: String(s.suspectRef), locations: [String(l1.locationRef), String(l2.locationRef)] };
  }

  it('lets only PROSECUTION open a case, under the deployment policy, idempotently', async () => {
    const caseId = uniqueCaseId('OPEN');
    await expect(g.asClient('police-system').open(smallCase(caseId))).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/^openCase: only PROSECUTION may do this \(you: POLICE/),
    });
    // Deadlines are the deployment's policy, never the caller's.
    const withPolicy = { ...smallCase(caseId), policy: { version: 1, warrantValidity: '3650d' } };
    await expect(g.asClient('prosecution-system').open(withPolicy)).rejects.toBeInstanceOf(InvalidInputError);
    const first = await g.asClient('prosecution-system').open(smallCase(caseId));
    const again = await g.as('fiscal-017').open(smallCase(caseId));
    expect([first.created, again.created]).toEqual([true, false]);
    const status = await g.as('fiscal-017').status(caseId);
    expect(status).toMatchObject({ caseId, stage: 'INTAKE' });
  });

  it('refuses every bad token with the same 401, and nothing reaches the case', async () => {
    const { caseId } = await investigation('TOKEN');
    const before = await historyLength(caseId);
    const forge = forgeTokens(g.idp);
    const bad: Record<string, string | undefined> = {
      none: undefined,
      expired: await forge.expired(),
      'not yet valid': await forge.notYetValid(),
      'other issuer': await forge.otherIssuer(),
      'wrong issuer': await forge.wrongIssuer(),
      'wrong audience': await forge.wrongAudience(),
      'foreign key': await forge.foreignKey(),
      'alg none': forge.algNone(),
      'HS256 signed with the public key': await forge.hs256WithPublicKey(),
      garbage: 'not.a.token',
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await g.call('POST', `/v1/cases/${caseId}/commands/addLocation`, {
        ...(token ? { token } : {}),
        body: { args: { kind: 'home', district: 'Cusco' }, commandId: randomUUID() },
      });
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status: 401, code: 'UNAUTHENTICATED' });
      const read = await g.call('GET', `/v1/cases/${caseId}`, token ? { token } : {});
      expect({ what, status: read.status }).toEqual({ what, status: 401 });
    }
    // The control: the same forge, correct in every respect, is accepted.
    const ok = await g.call('GET', `/v1/cases/${caseId}`, { token: await forge.valid() });
    expect(ok.status).toBe(200);
    expect(await historyLength(caseId)).toBe(before);
  });

  it('refuses a POLICE token issuing a JUDICIARY command (403, naming the rule); history unchanged', async () => {
    const { caseId, locations } = await investigation('ROLE');
    const { result } = await g
      .as('fiscal-017')
      .command(caseId, 'requestWarrant', { kind: 'search', locationRefs: locations });
    const before = await historyLength(caseId);
    const refused = await g
      .as('pol-204')
      .command(caseId, 'approveWarrant', { warrantRef: result.warrantRef })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(AccessDeniedError);
    expect(refused).toMatchObject({
      status: 403,
      message: expect.stringContaining('only a judge (JUDICIARY) may do this'),
    });
    // A court clerk is not a judge, and neither is the judiciary's own system (its client is a clerk).
    for (const who of [g.as('clerk-4'), g.asClient('judiciary-system')]) {
      await expect(who.command(caseId, 'approveWarrant', { warrantRef: result.warrantRef })).rejects.toMatchObject({
        status: 403,
        message: expect.stringMatching(/only a judge \(JUDICIARY\) may do this \(you: JUDICIARY, a court clerk\)/),
      });
    }
    expect(await historyLength(caseId)).toBe(before);
    const approved = await g
      .as('judge-9')
      .command(caseId, 'approveWarrant', { warrantRef: result.warrantRef, validFor: '2d' });
    expect(approved.result.validUntil).toEqual(expect.any(String));
    // Validity is bounded by the deployment policy (7 days by default), whoever asks.
    const { result: w2 } = await g
      .as('fiscal-017')
      .command(caseId, 'requestWarrant', { kind: 'search', locationRefs: locations });
    await expect(
      g.as('judge-9').command(caseId, 'approveWarrant', { warrantRef: w2.warrantRef, validFor: '3650d' }),
    ).rejects.toMatchObject({ code: 'PRECONDITION', message: expect.stringContaining('at most 7d') });
  });

  it('refuses an actor written in the request, in the body or in the arguments', async () => {
    const { caseId } = await investigation('ACTOR');
    const before = await historyLength(caseId);
    const token = await g.tokenOf('pol-204');
    const judge = { agency: 'JUDICIARY', staffId: 'judge-9', roles: ['judge'] };
    const inBody = await g.call('POST', `/v1/cases/${caseId}/commands/addLocation`, {
      token,
      body: { actor: judge, args: { kind: 'home', district: 'Cusco' }, commandId: randomUUID() },
    });
    expect(inBody).toMatchObject({
      status: 400,
      body: { detail: 'actor: not accepted; who acts comes from your access token' },
    });
    const inArgs = await g.call('POST', `/v1/cases/${caseId}/commands/addLocation`, {
      token,
      body: { args: { kind: 'home', district: 'Cusco', actor: judge }, commandId: randomUUID() },
    });
    expect(inArgs.status).toBe(400);
    expect(inArgs.body.detail).toMatch(/^args: Unrecognized key: "actor"/);
    expect(await historyLength(caseId)).toBe(before);
  });

  it('answers a restricted agency as if the case did not exist; its cleared officer reads and acts', async () => {
    const { caseId } = await investigation('COI');
    const prosecutor = g.as('fiscal-017');
    // A regional police commander is a suspect: POLICE is restricted on this case from now on.
    await prosecutor.command(caseId, 'addSuspect', {
      name: 'Comandante Inventado',
      roles: ['facilitator'],
      official: { institution: 'police', current: true, rank: 'regional commander' },
    });
    const missing = uniqueCaseId('NOPE');
    for (const who of [g.as('pol-204'), g.asClient('police-system')]) {
      const restricted = await who.status(caseId).then(
        () => undefined,
        (e: unknown) => e,
      );
      const nonexistent = await who.status(missing).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(restricted).toBeInstanceOf(CaseNotFoundError);
      expect((restricted as Error).message).toBe(`no case ${caseId}`);
      expect((nonexistent as Error).message).toBe(`no case ${missing}`);
      await expect(who.timeline(caseId)).rejects.toBeInstanceOf(CaseNotFoundError);
      const before = await historyLength(caseId);
      await expect(who.command(caseId, 'addLocation', { kind: 'home', district: 'Cusco' })).rejects.toBeInstanceOf(
        CaseNotFoundError,
      );
      expect(await historyLength(caseId)).toBe(before);
    }
    // The prosecution clears a vetted officer by name: that officer, and only that officer, works the case.
    await prosecutor.command(caseId, 'clearStaff', { agency: 'POLICE', staffId: 'pol-311' });
    const cleared = g.as('pol-311');
    expect((await cleared.status(caseId)).caseId).toBe(caseId);
    await cleared.command(caseId, 'addLocation', { kind: 'home', district: 'Quillabamba' });
    await expect(g.as('pol-204').status(caseId)).rejects.toBeInstanceOf(CaseNotFoundError);
    // Nothing published to POLICE after the restriction reveals it, not even a placeholder.
    const police = await readEvents(g.o.nc, g.o.config.NATS_STREAM, 'cases.POLICE.>', { caseId });
    expect(police.events.map((e) => JSON.stringify(e.data)).join()).not.toMatch(/withheld|conflict/);
    expect(police.events.map((e) => e.type)).not.toContain('org.case-orchestrator.conflict-of-interest');
  });

  it('gives each caller the need-to-know view, and records who did what by ids', async () => {
    const { caseId, suspectRef } = await investigation('VIEW');
    await g.as('fiscal-017').command(caseId, 'addVictim', { name: 'Menor Inventada', minor: true, ageMonths: 190 });
    const partner = await g.as('partner-1').status(caseId);
    expect(Object.keys(partner).sort()).toEqual(['crimeTypes', 'figures', 'jurisdiction', 'openedAt', 'stage']);
    expect(partner.figures).toMatchObject({ suspects: 1, arrests: 0 });
    const police = await g.as('pol-204').status(caseId);
    expect(police.suspects).toEqual([{ ref: suspectRef, roles: ['member'], charged: false }]);
    expect(police.victims).toEqual([{ ref: 'V-1', minor: true }]);
    const care = await g.as('social-12').status(caseId);
    expect(care).not.toHaveProperty('suspects');
    expect(care.victims).toEqual([expect.objectContaining({ ref: 'V-1', minor: true, ageMonths: 190 })]);

    const full = await g.as('fiscal-017').timeline(caseId);
    const byPolice = full.find((e) => e.type === 'addSuspect')!;
    expect(byPolice.by).toMatchObject({ agency: 'POLICE', roles: ['police-officer'], clientId: 'police-system' });
    expect(byPolice.by).not.toHaveProperty('staffId');
    const started = full.find((e) => e.type === 'startInvestigation')!;
    expect(started.by).toMatchObject({
      agency: 'PROSECUTION',
      staffId: 'fiscal-017',
      roles: ['prosecutor'],
      subject: expect.any(String),
    });
    const policeView = await g.as('pol-204').timeline(caseId);
    expect(policeView.find((e) => e.type === 'startInvestigation')).toBeUndefined();
    expect(policeView.find((e) => e.type === 'addVictim')!.by).toEqual({ agency: 'PROSECUTION', roles: [] });

    // AUDIT keeps who did it, by ids, with every event.
    const audit = await readEvents(g.o.nc, g.o.config.NATS_STREAM, 'cases.AUDIT.>', { caseId, expected: 5 });
    const victim = audit.events.find((e: CloudEvent) => e.type.endsWith('victim-added'))!;
    expect((victim.data as { by: unknown }).by).toMatchObject({
      agency: 'PROSECUTION',
      staffId: 'fiscal-017',
      roles: ['prosecutor'],
    });
    expect(JSON.stringify(audit.events)).not.toContain('Menor Inventada');
  });

  it('makes every command idempotent by its command id, across retries, with a conflict for other arguments', async () => {
    const { caseId } = await investigation('IDEM');
    const token = await g.tokenOf('pol-204');
    const key = randomUUID();
    const send = (district: string) =>
      g.call('POST', `/v1/cases/${caseId}/commands/addLocation`, {
        token,
        headers: { 'Idempotency-Key': key },
        body: { args: { kind: 'home', district } },
      });
    const first = await send('Cusco');
    const retry = await send('Cusco');
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const other = await send('Puno');
    expect(other).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const missingId = await g.call('POST', `/v1/cases/${caseId}/commands/addLocation`, {
      token,
      body: { args: { kind: 'home', district: 'Cusco' } },
    });
    expect(missingId).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENTS' } });
    expect(
      ((await g.as('fiscal-017').status(caseId)).locations ?? []).filter((l) => l.district === 'Cusco'),
    ).toHaveLength(2);
  });

  it('lets no forged or malformed signal change a case or stop it from working', async () => {
    const { caseId, locations } = await investigation('SIG');
    const prosecutor = g.as('fiscal-017');
    const { result: w } = await prosecutor.command(caseId, 'requestWarrant', {
      kind: 'search',
      locationRefs: locations,
    });
    await g.as('judge-9').command(caseId, 'approveWarrant', { warrantRef: w.warrantRef });
    const { result: raid } = await prosecutor.command(caseId, 'planRaid', {
      locationRefs: locations,
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // A Temporal client without our codec: what someone with Temporal access but no key can send.
    const connection = await Connection.connect({ address: g.o.config.TEMPORAL_ADDRESS });
    try {
      const plain = new Client({ connection, namespace: g.o.config.TEMPORAL_NAMESPACE });
      const handle = plain.workflow.getHandle(caseWorkflowId(caseId));
      await handle.signal(raidCompletedSignal, { raidRef: String(raid.raidRef), missing: [] });
      await handle.signal('raidCompleted', null as never);
      await handle.signal('raidCompleted', { raidRef: 'x'.repeat(1_000_000) } as never);
      await handle.signal('locationReported' as never);
    } finally {
      await connection.close();
    }
    // The case still answers, and nothing changed: the raid has not started, let alone completed.
    await eventually(async () =>
      (await prosecutor.status(caseId)).raids?.[0]?.status === 'planned' ? true : undefined,
    );
    const status = await prosecutor.status(caseId);
    expect(status.raids).toEqual([expect.objectContaining({ ref: raid.raidRef, status: 'planned', reported: 0 })]);
    await prosecutor.command(caseId, 'addWitness', { name: 'Testigo Inventado' });
    const history = await g.o.temporal.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
    const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    expect(failedTasks).toHaveLength(0);
  });

  it('refuses a plaintext update sent with the temporal CLI; nothing reaches history', async () => {
    const { caseId } = await investigation('PLAIN');
    const before = await historyLength(caseId);
    const r = await temporalCli([
      'workflow',
      'update',
      'execute',
      '--address',
      g.o.config.TEMPORAL_ADDRESS,
      '--workflow-id',
      caseWorkflowId(caseId),
      '--name',
      'addLocation',
      '--input',
      JSON.stringify({
        actor: { agency: 'POLICE', staffId: 'pol-204', roles: ['police-officer'] },
        commandId: randomUUID(),
        args: { kind: 'home', district: 'Cusco' },
      }),
      '--command-timeout',
      '20s',
    ]);
    // Refused by the worker's validator; the reason travels encrypted, so a caller without the key reads only the type.
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/CommandRejected/);
    expect(await historyLength(caseId)).toBe(before);
    expect((await g.as('fiscal-017').status(caseId)).locations).toHaveLength(2);
  });

  it('shows staff their inbox and streams their task notifications live', async () => {
    const { caseId, locations } = await investigation('INBOX');
    const judge = g.as('judge-9');
    const seen: { type: string; id: string; kind: string }[] = [];
    const stop = new AbortController();
    const feed = judge.events((type, entry) => seen.push({ type, id: entry.id, kind: entry.kind }), stop.signal);
    await new Promise((r) => setTimeout(r, 300));
    const { result } = await g
      .as('fiscal-017')
      .command(caseId, 'requestWarrant', { kind: 'search', locationRefs: locations });
    const task = await eventually(async () => (await judge.inbox({ caseId })).find((t) => t.id === result.taskId));
    expect(task).toMatchObject({ kind: 'decide-warrant', assignee: 'JUDICIARY', status: 'open' });
    await eventually(async () => (seen.some((s) => s.id === result.taskId && s.type === 'task') ? true : undefined));
    // A police officer's inbox never holds the judiciary's tasks.
    expect((await g.as('pol-204').inbox({ caseId })).map((t) => t.id)).not.toContain(result.taskId);
    await judge.command(caseId, 'approveWarrant', { warrantRef: result.warrantRef });
    await eventually(async () =>
      seen.some((s) => s.id === result.taskId && s.type === 'task-closed') ? true : undefined,
    );
    expect(await judge.inbox({ caseId })).toEqual([]);
    stop.abort();
    await feed;
  });

  it('serves its OpenAPI document and the command catalogue, and refuses nothing it does not know loudly', async () => {
    const api = await g.call('GET', '/openapi.json');
    expect(api.status).toBe(200);
    const paths = Object.keys(api.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/cases',
        '/v1/cases/{caseId}/commands/{name}',
        '/v1/cases/{caseId}',
        '/v1/cases/{caseId}/timeline',
        '/v1/tasks/{taskId}/claim',
        '/v1/tasks/{taskId}/unclaim',
        '/v1/tasks/{taskId}/complete',
        '/v1/inbox',
        '/v1/events',
        '/v1/commands',
      ]),
    );
    const catalogue = await g.call('GET', '/v1/commands');
    expect(catalogue.body).toEqual(JSON.parse(JSON.stringify(commandCatalogue())));
    expect((catalogue.body as unknown as { name: string }[]).map((c) => c.name)).toContain('openCase');
    const unknown = await g.call('POST', '/v1/cases/X-1234/commands/deleteCase', {
      token: await g.tokenOf('fiscal-017'),
      body: { args: {}, commandId: randomUUID() },
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'UNKNOWN_COMMAND' } });
    const notJson = await g.call('POST', '/v1/cases', {
      token: await g.tokenOf('fiscal-017'),
      body: '{"caseId": "Nombre Secreto',
    });
    expect(notJson).toMatchObject({ status: 400, body: { detail: 'body: not valid JSON' } });
    expect(JSON.stringify(notJson.body)).not.toContain('Nombre Secreto');
  });

  it('maps refusals by the case rules to 409/422 with their code', async () => {
    const { caseId } = await investigation('RULES');
    const refused = await g
      .as('fiscal-017')
      .command(caseId, 'openTrial')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(AccessDeniedError); // openTrial is a judge's command
    const stage = await g
      .as('judge-9')
      .command(caseId, 'openTrial')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(stage).toBeInstanceOf(CommandRefusedError);
    expect(stage).toMatchObject({ code: 'WRONG_STAGE' });
  });
});
