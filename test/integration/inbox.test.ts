/**
 * Staff tasks end to end: a workflow opens a task, the notifier projects it into the agency's inbox
 * (JetStream KV), `cases inbox` shows it, and completing it through the case empties the inbox.
 * Own nats-server, so the notifier reads only this file's events.
 */
import { main } from '../../src/cli/main';
import { AGENCIES } from '../../src/domain/agencies';
import { resolvePolicy } from '../../src/domain/policy';
import type { HumanTask } from '../../src/domain/tasks';
import { ensureNotifierBuckets } from '../../src/nats/buckets';
import { LogChannel } from '../../src/notifier/channels';
import { Notifier } from '../../src/notifier/notifier';
import { investigating, JUDGE, PROSECUTION } from '../support/case-steps';
import {
  eventually,
  startOrchestrator,
  testConfig,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { silentLogger } from './notifier-fixtures';

describe('staff inbox', () => {
  let nats: NatsServerHandle;
  let o: TestOrchestrator;
  let notifier: Notifier;
  let env: Record<string, string | undefined>;

  const inbox = async (...args: string[]) => {
    const out: string[] = [];
    const code = await main(['inbox', '--json', ...args], { out: (t) => out.push(t), err: (t) => out.push(t), env });
    expect(code).toBe(0);
    return JSON.parse(out.join('\n')) as HumanTask[];
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    // Warrant decisions due in 3 s: long enough to see the task open, short enough to see it overdue.
    const policy = resolvePolicy({ task: { defaultDue: '3s', remindBefore: '1s' } });
    o = await startOrchestrator({ config: testConfig({ NATS_URL: nats.url }), policy });
    env = { ...process.env, NATS_URL: nats.url, TEMPORAL_TASK_QUEUE: o.config.TEMPORAL_TASK_QUEUE };
    notifier = new Notifier({
      nc: o.nc,
      stream: o.config.NATS_STREAM,
      agencies: AGENCIES,
      buckets: await ensureNotifierBuckets(o.nc),
      channels: [new LogChannel(silentLogger())],
      logger: silentLogger(),
    });
    await notifier.start();
  });
  afterAll(async () => {
    await notifier?.stop();
    await o?.stop();
    await nats?.stop({ removeData: true });
  });

  it('shows a new task in the assignee agency inbox, overdue once due, and drops it when done', async () => {
    const caseId = uniqueCaseId('INBOX');
    const { locations } = await investigating(o.cases, caseId);
    const { warrantRef, taskId } = await o.cases.command(caseId, 'requestWarrant', PROSECUTION, {
      kind: 'search',
      locationRefs: locations,
    });

    const open = await eventually(
      async () => {
        const tasks = await inbox('--agency', 'JUDICIARY');
        return tasks.find((t) => t.id === taskId);
      },
      15_000,
      'task in JUDICIARY inbox',
    );
    expect(open).toMatchObject({
      assignee: 'JUDICIARY',
      status: 'open',
      title: expect.stringContaining(String(warrantRef)),
    });
    expect((await inbox('--agency', 'POLICE')).find((t) => t.id === taskId)).toBeUndefined();

    const overdue = await eventually(
      async () => (await inbox('--agency', 'JUDICIARY', '--overdue')).find((t) => t.id === taskId && t.escalated),
      15_000,
      'overdue and escalated',
    );
    expect(overdue.escalateTo).toEqual(['PROSECUTION']);
    // Once escalated, the escalation agency holds it too.
    expect((await inbox('--agency', 'PROSECUTION')).map((t) => t.id)).toContain(taskId);

    await o.cases.task('claimTask', String(taskId), { agency: 'JUDICIARY', staffId: 'judge-3' });
    await eventually(
      async () => (await inbox('--agency', 'JUDICIARY', '--staff', 'judge-3')).find((t) => t.id === taskId),
      15_000,
      'claimed by judge-3',
    );
    await o.cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef });
    await eventually(
      async () => {
        const [j, p] = await Promise.all([inbox('--agency', 'JUDICIARY'), inbox('--agency', 'PROSECUTION')]);
        return j.concat(p).some((t) => t.id === taskId) ? undefined : true;
      },
      15_000,
      'task gone from both inboxes',
    );
    expect(notifier.counters.deadLettered).toBe(0);
  });
});
