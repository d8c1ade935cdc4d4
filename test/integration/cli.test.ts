/**
 * The `cases` CLI as agencies' scripts use it: JSON in, tables or --json out, and exit codes
 * 0 done, 2 invalid input, 3 refused by the case rules, 1 anything else.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main';
import { startOrchestrator, uniqueCaseId, type TestOrchestrator } from '../support/orchestrator';
import { smallCase } from '../support/case-steps';

describe('cases CLI', () => {
  let o: TestOrchestrator;
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
    o = await startOrchestrator();
    env = { ...process.env, TEMPORAL_TASK_QUEUE: o.config.TEMPORAL_TASK_QUEUE };
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('opens a case once, and says so the second time', async () => {
    const caseId = uniqueCaseId('CLI');
    const path = file('case.json', smallCase(caseId));
    expect(await cli('open', '--file', path)).toMatchObject({ code: 0, out: expect.stringContaining(`opened case ${caseId}`) });
    expect(await cli('open', '--file', path)).toMatchObject({ code: 0, out: expect.stringContaining('already open') });
    const status = await cli('status', caseId, '--json');
    expect(JSON.parse(status.out)).toMatchObject({ caseId, stage: 'INTAKE' });
  });

  it('exits 2 on a malformed case file, naming the field, and starts nothing', async () => {
    const caseId = uniqueCaseId('CLIBAD');
    const bad = await cli('open', '--file', file('bad.json', { ...smallCase(caseId), crimeTypes: [] }));
    expect(bad).toMatchObject({ code: 2, err: 'cases: case.crimeTypes: must name at least one crime type' });
    expect(await cli('open', '--file', file('broken.json', '{"caseId": '))).toMatchObject({ code: 2, err: expect.stringContaining('not valid JSON') });
    expect(await cli('status', caseId)).toMatchObject({ code: 1, err: expect.stringContaining(`no case or workflow found`) });
  });

  it('drives commands: done is 0, refused by the rules is 3, bad arguments are 2', async () => {
    const caseId = uniqueCaseId('CLICMD');
    await cli('open', '--file', file('c.json', smallCase(caseId)));
    expect(await cli('startInvestigation', caseId, '--as', 'PROSECUTION:fiscal-1')).toMatchObject({ code: 0 });
    const added = await cli('addLocation', caseId, '--as', 'POLICE', '--args', '{"kind":"home","district":"Cercado"}', '--json');
    expect(JSON.parse(added.out)).toEqual({ locationRef: 'L-1' });
    expect(await cli('approveWarrant', caseId, '--as', 'POLICE', '--args', '{"warrantRef":"W-1"}')).toMatchObject({
      code: 3,
      err: 'cases: refused (NOT_PERMITTED): approveWarrant: POLICE may not do this (allowed: JUDICIARY)',
    });
    expect(await cli('planRaid', caseId, '--as', 'POLICE', '--args', '{"locationRefs":["L-1"]}')).toMatchObject({ code: 3, err: expect.stringContaining('PRECONDITION') });
    expect(await cli('addVictim', caseId, '--as', 'POLICE', '--args', '{"minor":true,"ageMonths":"five"}')).toMatchObject({
      code: 2,
      err: expect.stringContaining('args.ageMonths'),
    });
    expect(await cli('addVictim', caseId, '--as', 'MINISTRY', '--args', '{"minor":true}')).toMatchObject({ code: 2, err: expect.stringContaining('--as') });
    expect(await cli('noSuchCommand', caseId)).toMatchObject({ code: 2 });

    const { warrantRef } = await o.cases.command(caseId, 'requestWarrant', { agency: 'PROSECUTION' }, { kind: 'search', locationRefs: ['L-1'] });
    const status = JSON.parse((await cli('status', caseId, '--json')).out);
    const task = status.openTasks.find((t: { kind: string }) => t.kind === 'decide-warrant');
    expect(await cli('task', 'claim', task.id, '--as', 'JUDICIARY:judge-7')).toMatchObject({ code: 0, out: expect.stringContaining('claimed (staff judge-7)') });
    expect(await cli('task', 'claim', task.id, '--as', 'JUDICIARY:judge-8')).toMatchObject({ code: 3, err: expect.stringContaining('already claimed') });
    expect(await cli('approveWarrant', caseId, '--as', 'JUDICIARY:judge-7', '--args', JSON.stringify({ warrantRef }))).toMatchObject({ code: 0 });
    const timeline = await cli('timeline', caseId);
    expect(timeline.out).toMatch(/approveWarrant\s+JUDICIARY:judge-7\s+W-1/);
  });

  it('lists cases by stage through visibility', async () => {
    const caseId = uniqueCaseId('CLILIST');
    await cli('open', '--file', file('l.json', smallCase(caseId)));
    await cli('archiveCase', caseId, '--as', 'PROSECUTION', '--args', '{"reason":"merged"}');
    let listed: { caseId: string }[] = [];
    for (let i = 0; i < 30 && !listed.some((c) => c.caseId === caseId); i++) {
      listed = JSON.parse((await cli('list', '--stage', 'ARCHIVED', '--json')).out);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(listed.find((c) => c.caseId === caseId)).toMatchObject({ stage: 'ARCHIVED', jurisdiction: 'PE-LIM' });
    expect(await cli('list', '--stage', "x' OR 1=1")).toMatchObject({ code: 2, err: expect.stringContaining('stage: must be') });
  });

  it('describes every command with its JSON Schema, and every event with its receivers', async () => {
    const commands = JSON.parse((await cli('commands', '--json')).out) as { name: string; agencies: string[]; args: { type: string } }[];
    expect(commands.find((c) => c.name === 'approveWarrant')).toMatchObject({ agencies: ['JUDICIARY'], args: { type: 'object' } });
    expect(commands).toHaveLength(25);
    const events = JSON.parse((await cli('events', '--json')).out) as { type: string; receivers: string[] }[];
    expect(events.find((e) => e.type === 'minor-rescued')?.receivers).toContain('CHILD_PROTECTION');
  });

  it('is a real command whose exit code scripts can trust', async () => {
    const run = promisify(execFile);
    const result = await run('node', [join(__dirname, '../../bin/cases'), 'open', '--file', file('x.json', { caseId: 'x' })], { env: { ...env } as NodeJS.ProcessEnv }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('case.caseId') });
  });
});
