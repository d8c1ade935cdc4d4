/**
 * `npm run demo` (after scripts/demo.sh has started the stack, worker and notifier): drives the
 * reference case, shows the agencies' inboxes along the way, then what each agency was notified of,
 * the case status, and where to look in the Temporal Web UI.
 */
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CasesClient } from '../client/cases-client';
import { table } from '../cli/format';
import { renderStatus, taskTable } from '../cli/render';
import { loadConfig, type Config } from '../config';
import { AGENCIES, type Agency } from '../domain/agencies';
import { caseWorkflowId } from '../domain/case-state';
import type { CloudEvent } from '../domain/envelope';
import { ensureNotifierBuckets, type NotifierBuckets } from '../nats/buckets';
import { connectNats } from '../nats/connection';
import { drainConsumer } from '../nats/read';
import { hasSeen } from '../notifier/dedupe';
import { listInbox } from '../notifier/inbox';
import { createLogger } from '../logging';
import { connectClient } from '../temporal/connection';
import { runReferenceCase } from './reference-case';

const say = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n== ${text} ${'='.repeat(Math.max(0, 90 - text.length))}`);

async function showInbox(buckets: NotifierBuckets, agency: Agency, why: string): Promise<void> {
  // The notifier fills the inbox asynchronously; give it a moment to catch up.
  let tasks = await listInbox(buckets.inbox, { agency, now: Date.now() });
  for (let i = 0; i < 20 && tasks.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    tasks = await listInbox(buckets.inbox, { agency, now: Date.now() });
  }
  say(`\n  ${agency} inbox (${why}):`);
  say(taskTable(tasks).replace(/^/gm, '    '));
}

/** Every message the stream holds for this case, per recipient, and whether the notifier delivered it. */
async function notifications(nc: NatsConnection, config: Config, buckets: NotifierBuckets, caseId: string) {
  const consumer = await jetstream(nc).consumers.get(config.NATS_STREAM, {
    filter_subjects: 'cases.>', // a string: one filter subject, which nats-server 2.9 understands
    deliver_policy: DeliverPolicy.All,
  });
  const rows: Record<string, { received: number; delivered: number; types: Set<string> }> = {};
  await drainConsumer(consumer, async (m) => {
    const event = m.json<CloudEvent>();
    if (event.subject !== caseId) return;
    const recipient = m.subject.split('.')[1]!;
    const row = (rows[recipient] ??= { received: 0, delivered: 0, types: new Set() });
    row.received += 1;
    row.types.add(event.type.replace('org.case-orchestrator.', ''));
    if (recipient !== 'AUDIT' && (await hasSeen(buckets.seen, recipient as Agency, event))) row.delivered += 1;
  });
  return rows;
}

async function run(): Promise<void> {
  const config = loadConfig();
  const caseId = process.argv[2] ?? `PE-LIM-${new Date().getFullYear()}-${String(Date.now()).slice(-6)}`;
  const cases = new CasesClient(await connectClient(config), config);
  const nc = await connectNats(config, {
    name: 'demo',
    logger: createLogger({ level: 'warn', name: 'demo', toStderr: true }),
  });
  const buckets = await ensureNotifierBuckets(nc);

  heading(`Reference case ${caseId}: investigation to verdict`);
  const started = Date.now();
  const run = await runReferenceCase(cases, caseId, async (step, detail) => {
    say(
      `  [${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${step.padEnd(24)} ${JSON.stringify(detail ?? {})}`,
    );
    if (step === 'warrants requested') await showInbox(buckets, 'JUDICIARY', 'warrants to decide');
    if (step === 'protection referred') await showInbox(buckets, 'CHILD_PROTECTION', 'the rescued minor');
  });

  // Let the last events reach the notifier before counting.
  await new Promise((r) => setTimeout(r, 2_000));
  heading('What each agency was notified of (need-to-know views; AUDIT keeps one copy of every event)');
  const rows = await notifications(nc, config, buckets, caseId);
  say(
    table(
      [...AGENCIES, 'AUDIT' as const].map((a) => ({
        recipient: a,
        messages: rows[a]?.received ?? 0,
        delivered: a === 'AUDIT' ? '-' : (rows[a]?.delivered ?? 0),
        'event types':
          [...(rows[a]?.types ?? [])].slice(0, 8).join(', ') + ((rows[a]?.types.size ?? 0) > 8 ? ', ...' : ''),
      })),
    ),
  );
  say('  POLICE gets "withheld" views after the conflict of interest (the former police chief); PARTNER only counts.');

  heading('Open tasks now, per agency (cases inbox --agency A)');
  for (const agency of AGENCIES) {
    const open = await listInbox(buckets.inbox, { agency, now: Date.now() });
    say(`  ${agency.padEnd(17)} ${open.length} open`);
  }

  heading('Case status (cases status)');
  say(renderStatus(await cases.status(caseId)));
  const p = await cases.protection(caseId, run.minor);
  say(`\nprotection of ${run.minor}: ${Object.keys(p.milestones).join(', ')}`);

  heading('Temporal Web UI');
  const ns = config.TEMPORAL_NAMESPACE;
  say(`  ${config.TEMPORAL_UI_URL}/namespaces/${ns}/workflows?query=${encodeURIComponent(`CaseId="${caseId}"`)}`);
  say(`  case workflow: ${config.TEMPORAL_UI_URL}/namespaces/${ns}/workflows/${caseWorkflowId(caseId)}`);
  say('  Payloads are encrypted; the codec server (see README) decodes them for admins.');
  await nc.close();
  await cases.client.connection.close();
}

run().catch((err) => {
  console.error('demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
