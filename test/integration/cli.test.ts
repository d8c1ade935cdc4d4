/**
 * The `cases` CLI as agencies' scripts and staff use it, through the gateway with real tokens: JSON in, tables or
 * --json out, and exit codes 0 done, 1 not found or unavailable, 2 invalid input, 3 refused by the case rules,
 * 4 not signed in or not permitted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main';
import { commandCatalogue } from '../../src/domain/catalogue';
import { startGateway, type TestGateway } from '../support/gateway';
import { uniqueCaseId } from '../support/orchestrator';

jest.setTimeout(180_000);

const smallCase = (caseId: string) => ({
  caseId,
  codename: 'LINEA',
  jurisdiction: 'PE-LIM',
  crimeTypes: ['human-trafficking'],
  leadProsecutor: { staffId: 'fiscal-017' },
});

describe('cases CLI', () => {
  let g: TestGateway;
  let env: Record<string, string | undefined>;
  const dir = mkdtempSync(join(tmpdir(), 'cases-cli-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    g = await startGateway();
    // No Temporal, NATS or codec settings: the CLI knows only the gateway (and, for --as, the dev provider's data).
    env = {
      PATH: process.env.PATH,
      CASES_GATEWAY_URL: g.url,
      CASES_TOKEN_FILE: join(dir, 'tokens.json'),
      DATA_DIR: g.idp.dataDir,
    };
  });
  afterAll(async () => {
    await g?.stop();
  });

  it('opens a case once, and says so the second time', async () => {
    const caseId = uniqueCaseId('CLI');
    const path = file('case.json', smallCase(caseId));
    expect(await cli('open', '--file', path, '--as', 'fiscal-017')).toMatchObject({
      code: 0,
      out: expect.stringContaining(`opened case ${caseId}`),
    });
    expect(await cli('open', '--file', path, '--as', 'fiscal-017')).toMatchObject({
      code: 0,
      out: expect.stringContaining('already open'),
    });
    const status = await cli('status', caseId, '--json', '--as', 'fiscal-017');
    expect(JSON.parse(status.out)).toMatchObject({ caseId, stage: 'INTAKE' });
  });

  it('exits 2 on malformed input, naming the field and never echoing the content', async () => {
    const caseId = uniqueCaseId('CLIBAD');
    const bad = await cli(
      'open',
      '--file',
      file('bad.json', { ...smallCase(caseId), crimeTypes: [] }),
      '--as',
      'fiscal-017',
    );
    expect(bad).toMatchObject({ code: 2, err: 'cases: case.crimeTypes: must name at least one crime type' });
    const broken = await cli(
      'open',
      '--file',
      file('broken.json', '{"summary": "Nombre Secreto'),
      '--as',
      'fiscal-017',
    );
    // The position of the error, never the text around it (the name in it).
    expect(broken).toEqual({ code: 2, out: '', err: 'cases: --file: not valid JSON (line 1, column 28)' });
    expect(await cli('status', caseId, '--as', 'fiscal-017')).toMatchObject({
      code: 1,
      err: `cases: no case ${caseId}`,
    });
  });

  it('drives commands: done 0, refused by the rules 3, not permitted 4, bad arguments 2, and prints the command id', async () => {
    const caseId = uniqueCaseId('CLICMD');
    await cli('open', '--file', file('c.json', smallCase(caseId)), '--as', 'fiscal-017');
    expect(await cli('startInvestigation', caseId, '--as', 'fiscal-017')).toMatchObject({ code: 0 });
    const added = await cli(
      'addLocation',
      caseId,
      '--as',
      'pol-204',
      '--args',
      '{"kind":"home","district":"Cercado"}',
      '--json',
    );
    expect(JSON.parse(added.out)).toMatchObject({
      command: 'addLocation',
      result: { locationRef: 'L-1' },
      commandId: expect.any(String),
    });
    expect(
      await cli('requestWarrant', caseId, '--as', 'pol-204', '--args', '{"kind":"search","locationRefs":["L-1"]}'),
    ).toMatchObject({
      code: 4,
      err: expect.stringMatching(/^cases: not permitted: requestWarrant: only PROSECUTION may do this \(you: POLICE/),
    });
    expect(await cli('planRaid', caseId, '--as', 'pol-204', '--args', '{"locationRefs":["L-1"]}')).toMatchObject({
      code: 3,
      err: expect.stringContaining('refused (PRECONDITION)'),
    });
    expect(
      await cli('addVictim', caseId, '--as', 'pol-204', '--args', '{"minor":true,"ageMonths":"five"}'),
    ).toMatchObject({
      code: 2,
      err: expect.stringContaining('args.ageMonths'),
    });
    expect(await cli('noSuchCommand', caseId, '--as', 'pol-204')).toMatchObject({ code: 2 });

    const requested = await cli(
      'requestWarrant',
      caseId,
      '--as',
      'fiscal-017',
      '--args',
      '{"kind":"search","locationRefs":["L-1"]}',
    );
    expect(requested.out).toMatch(/commandId\s+\S+/);
    const { result } = JSON.parse(
      (
        await cli(
          'requestWarrant',
          caseId,
          '--as',
          'fiscal-017',
          '--json',
          '--args',
          '{"kind":"arrest","suspectRefs":[],"locationRefs":["L-1"]}',
        )
      ).out,
    );
    const taskId = String(result.taskId);
    expect(await cli('task', 'claim', taskId, '--as', 'judge-9')).toMatchObject({
      code: 0,
      out: expect.stringContaining('claimed (staff judge-9)'),
    });
    expect(await cli('task', 'unclaim', taskId, '--as', 'clerk-4')).toMatchObject({
      code: 4,
      err: expect.stringContaining('only they can unclaim it'),
    });
    expect(await cli('task', 'unclaim', taskId, '--as', 'judge-9')).toMatchObject({
      code: 0,
      out: expect.stringContaining(`task ${taskId} open`),
    });
    expect(
      await cli(
        'approveWarrant',
        caseId,
        '--as',
        'clerk-4',
        '--args',
        JSON.stringify({ warrantRef: result.warrantRef }),
      ),
    ).toMatchObject({
      code: 4,
      err: expect.stringContaining('only a judge (JUDICIARY) may do this'),
    });
    expect(
      await cli(
        'approveWarrant',
        caseId,
        '--as',
        'judge-9',
        '--args',
        JSON.stringify({ warrantRef: result.warrantRef }),
      ),
    ).toMatchObject({ code: 0 });
    const timeline = await cli('timeline', caseId, '--as', 'fiscal-017');
    expect(timeline.out).toMatch(/approveWarrant\s+JUDICIARY:judge-9\s+W-2/);
    // A retry with the same command id returns the first result; other arguments under it are refused.
    const once = await cli(
      'addLocation',
      caseId,
      '--as',
      'pol-204',
      '--command-id',
      'cli-retry-0001',
      '--args',
      '{"kind":"business","district":"Ica"}',
      '--json',
    );
    const twice = await cli(
      'addLocation',
      caseId,
      '--as',
      'pol-204',
      '--command-id',
      'cli-retry-0001',
      '--args',
      '{"kind":"business","district":"Ica"}',
      '--json',
    );
    expect(JSON.parse(twice.out)).toEqual(JSON.parse(once.out));
    expect(
      await cli(
        'addLocation',
        caseId,
        '--as',
        'pol-204',
        '--command-id',
        'cli-retry-0001',
        '--args',
        '{"kind":"home","district":"Ica"}',
      ),
    ).toMatchObject({
      code: 3,
      err: expect.stringContaining('refused (CONFLICT)'),
    });
  });

  it('signs in, keeps tokens readable by the user alone, says who you are, and exits 4 when signed out', async () => {
    expect(await cli('login', '--as', 'social-12')).toMatchObject({
      code: 0,
      out: expect.stringContaining('signed in as dev account social-12'),
    });
    expect(statSync(join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);
    const who = JSON.parse((await cli('whoami', '--json')).out);
    expect(who).toMatchObject({ agency: 'CHILD_PROTECTION', staffId: 'social-12', roles: ['social-worker'] });
    expect(await cli('inbox', '--json')).toMatchObject({ code: 0 });
    expect(await cli('logout')).toMatchObject({ code: 0 });
    expect(await cli('inbox')).toMatchObject({ code: 4, err: expect.stringContaining('run `cases login`') });
  });

  it('runs as an agency system with client credentials from the environment', async () => {
    const caseId = uniqueCaseId('CLISYS');
    const prosecution = {
      ...env,
      CASES_CLIENT_ID: 'prosecution-system',
      CASES_CLIENT_SECRET: g.idp.secrets.clients['prosecution-system'],
    };
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: prosecution });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    expect(await run('open', '--file', file('sys.json', smallCase(caseId)))).toMatchObject({ code: 0 });
    expect(await run('startInvestigation', caseId)).toMatchObject({ code: 0 });
    const wrong = { ...prosecution, CASES_CLIENT_SECRET: 'not-the-secret-0123456789' };
    const out: string[] = [];
    expect(await main(['status', caseId], { out: (t) => out.push(t), err: (t) => out.push(t), env: wrong })).toBe(4);
    expect(out.join()).not.toContain('not-the-secret');
  });

  it('lists cases by stage through visibility (prosecution and oversight only)', async () => {
    const caseId = uniqueCaseId('CLILIST');
    await cli('open', '--file', file('l.json', smallCase(caseId)), '--as', 'fiscal-017');
    await cli('archiveCase', caseId, '--as', 'fiscal-017', '--args', '{"reason":"merged"}');
    let listed: { caseId: string }[] = [];
    for (let i = 0; i < 30 && !listed.some((c) => c.caseId === caseId); i++) {
      listed = JSON.parse((await cli('list', '--stage', 'ARCHIVED', '--json', '--as', 'fiscal-017')).out);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(listed.find((c) => c.caseId === caseId)).toMatchObject({ stage: 'ARCHIVED', jurisdiction: 'PE-LIM' });
    expect(await cli('list', '--stage', "x' OR 1=1", '--as', 'fiscal-017')).toMatchObject({
      code: 2,
      err: expect.stringContaining('stage: must be'),
    });
    expect(await cli('list', '--as', 'pol-204')).toMatchObject({ code: 4 });
  });

  it('describes every command with who may send it and its JSON Schema, and every event with its receivers', async () => {
    const commands = JSON.parse((await cli('commands', '--json')).out) as {
      name: string;
      who: Record<string, string[]>;
      args: { type: string };
    }[];
    expect(commands.find((c) => c.name === 'approveWarrant')).toMatchObject({
      who: { JUDICIARY: ['judge'] },
      args: { type: 'object' },
    });
    expect(commands.find((c) => c.name === 'openCase')).toMatchObject({
      who: { PROSECUTION: ['prosecutor', 'coordinating-prosecutor'] },
    });
    expect(commands).toHaveLength(commandCatalogue().length);
    const events = JSON.parse((await cli('events', '--json')).out) as { type: string; receivers: string[] }[];
    expect(events.find((e) => e.type === 'minor-rescued')?.receivers).toContain('CHILD_PROTECTION');
  });

  it("shows the policy new cases open under and a case's own; invalid input exits 2 whichever side finds it", async () => {
    const deployment = await cli('policy', '--json');
    expect(deployment.code).toBe(0);
    expect(JSON.parse(deployment.out)).toMatchObject({ version: 1, appeal: { window: '10d' } });
    expect((await cli('policy')).out).toMatch(/^detention\.limit\.trafficking\s+48h$/m);
    const commands = await cli('commands');
    expect(commands.out).toMatch(/^suspectRoles\s+leader, member, recruiter, transporter, guard/m);
    const caseId = uniqueCaseId('CLIPOL');
    await cli('open', '--file', file('p.json', smallCase(caseId)), '--as', 'fiscal-017');
    await cli('startInvestigation', caseId, '--as', 'fiscal-017');
    const own = await cli('policy', caseId, '--as', 'pol-204');
    expect(own).toMatchObject({ code: 0, out: expect.stringContaining(`policy of case ${caseId}`) });
    expect(own.out).toMatch(/^locationKinds\s+home, business, bar, /m);
    // A code the case's vocabulary lacks (found by the workflow), a cross-field rule (found by the gateway): both 2.
    expect(
      await cli('addLocation', caseId, '--as', 'pol-204', '--args', '{"kind":"castle","district":"Ica"}'),
    ).toMatchObject({
      code: 2,
      err: expect.stringContaining("args.kind: must be one of the case's location kinds: home"),
    });
    await cli('addSuspect', caseId, '--as', 'pol-204', '--args', '{"name":"Nombre Reservado"}');
    expect(
      await cli(
        'recordArrest',
        caseId,
        '--as',
        'pol-204',
        '--args',
        '{"suspectRef":"S-1","offenceClass":"trafficking"}',
      ),
    ).toMatchObject({ code: 2, err: expect.stringContaining('args: an arrest cites an approved arrest warrant') });
    // A victim who is no minor has no protection, and the CLI says so.
    await cli('addVictim', caseId, '--as', 'pol-204', '--args', '{"minor":false}');
    expect(await cli('protection', caseId, 'V-1', '--as', 'fiscal-017')).toMatchObject({
      code: 1,
      err: 'cases: protection: victim V-1 is not a minor: only a rescued minor has a protection (childProtectionWorkflow)',
    });
  });

  it('is a real command whose exit code scripts can trust', async () => {
    const run = promisify(execFile);
    const result = await run(
      'node',
      [join(__dirname, '../../bin/cases'), 'open', '--file', file('x.json', { caseId: 'x' }), '--as', 'fiscal-017'],
      {
        env: { ...env } as NodeJS.ProcessEnv,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('case.caseId') });
    const down = await run('node', [join(__dirname, '../../bin/cases'), 'status', 'X-1234'], {
      env: { ...env, CASES_GATEWAY_URL: 'http://127.0.0.1:9' } as NodeJS.ProcessEnv,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(down).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot reach the gateway') });
  });
});
