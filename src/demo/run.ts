/**
 * `npm run demo` (after scripts/demo.sh has started the stack): drives the reference case through the gateway,
 * each person with their own token from the embedded identity provider, shows a refused impersonation, the
 * inboxes along the way, what each agency was notified of, the case as each agency sees it, and where to look
 * in the Temporal Web UI.
 */
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CasesClient } from '../client/cases-client';
import { AccessDeniedError, InvalidInputError } from '../client/errors';
import { DevAccountTokens, fetchAuthConfig, readDevSecrets } from '../client/tokens';
import { table } from '../cli/format';
import { renderStatus, taskTable } from '../cli/render';
import { loadConfig, type Config } from '../config';
import { AGENCIES, RECIPIENTS, type Agency } from '../domain/agencies';
import { caseWorkflowId } from '../domain/case-state';
import type { CloudEvent } from '../domain/envelope';
import { createLogger } from '../logging';
import { notifierBucketNames, openBucket } from '../nats/buckets';
import { connectNats } from '../nats/connection';
import { drainConsumer } from '../nats/read';
import { hasSeen } from '../notifier/dedupe';
import { loadMailConfig } from '../mail/config';
import { readCaughtMails } from '../mail/sink';
import { gatewayDesk, REFERENCE_ACCOUNTS } from './desks';
import { REFERENCE_CASE, runReferenceCase, type Desks } from './reference-case';

const say = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n== ${text} ${'='.repeat(Math.max(0, 90 - text.length))}`);

async function showInbox(client: CasesClient, who: string, why: string): Promise<void> {
  // The notifier fills the inbox asynchronously; give it a moment to catch up.
  let tasks = await client.inbox();
  for (let i = 0; i < 20 && tasks.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    tasks = await client.inbox();
  }
  say(`\n  inbox of ${who} (${why}):`);
  say(taskTable(tasks).replace(/^/gm, '    '));
}

/** Every message the stream holds for this case, per recipient, and whether the notifier delivered it. */
async function notifications(nc: NatsConnection, config: Config, caseId: string) {
  const seen = await openBucket(nc, notifierBucketNames().seen);
  const rows: Record<string, { received: number; delivered: number; types: Set<string> }> = {};
  for (const stream of [config.NATS_STREAM, `${config.NATS_STREAM}_AUDIT`]) {
    const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    await drainConsumer(consumer, async (m) => {
      const event = m.json<CloudEvent>();
      if (event.subject !== caseId) return;
      const recipient = m.subject.split('.')[1]!;
      const row = (rows[recipient] ??= { received: 0, delivered: 0, types: new Set() });
      row.received += 1;
      row.types.add(event.type.replace('org.case-orchestrator.', ''));
      if ((AGENCIES as readonly string[]).includes(recipient) && (await hasSeen(seen, recipient as Agency, event))) {
        row.delivered += 1;
      }
    });
  }
  return rows;
}

async function run(): Promise<void> {
  const config = loadConfig();
  const caseId = process.argv[2] ?? `PE-LIM-${new Date().getFullYear()}-${String(Date.now()).slice(-6)}`;
  const gatewayUrl = config.GATEWAY_URL;
  const auth = await fetchAuthConfig(gatewayUrl);
  const { devPassword } = readDevSecrets(config.DATA_DIR);
  const clientFor = (account: string) =>
    new CasesClient({ gatewayUrl, tokens: new DevAccountTokens(auth, account, devPassword) });
  const clients = Object.fromEntries(
    Object.entries(REFERENCE_ACCOUNTS).map(([desk, account]) => [desk, clientFor(account)]),
  ) as Record<keyof Desks, CasesClient>;
  const desks = Object.fromEntries(
    Object.entries(clients).map(([desk, client]) => [
      desk,
      gatewayDesk(client, REFERENCE_ACCOUNTS[desk as keyof Desks]),
    ]),
  ) as unknown as Desks;

  heading(`Reference case ${caseId}: investigation to verdict, through the gateway at ${gatewayUrl}`);
  say(
    `  each person signs in to ${auth.issuer} with their own dev account: ${Object.values(REFERENCE_ACCOUNTS).join(', ')}`,
  );
  const started = Date.now();
  const run = await runReferenceCase(desks, caseId, async (step, detail) => {
    say(
      `  [${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${step.padEnd(26)} ${JSON.stringify(detail ?? {})}`,
    );
    if (step === 'warrants requested') {
      await showInbox(clients.judge, REFERENCE_ACCOUNTS.judge, 'warrants to decide');
      await refusedImpersonation(clients.prosecutor, caseId, String(detail?.search));
    }
    if (step === 'protection referred') await showInbox(clients.care, REFERENCE_ACCOUNTS.care, 'the rescued minor');
  });

  // Let the last events reach the notifier before counting.
  await new Promise((r) => setTimeout(r, 2_000));
  const nc = await connectNats(config, {
    name: 'demo',
    logger: createLogger({ level: 'warn', name: 'demo', toStderr: true }),
  });
  heading('What each agency was notified of (need-to-know views; AUDIT keeps one copy of every event)');
  const rows = await notifications(nc, config, caseId);
  say(
    table(
      RECIPIENTS.map((a) => ({
        recipient: a,
        messages: rows[a]?.received ?? 0,
        delivered: (AGENCIES as readonly string[]).includes(a) ? (rows[a]?.delivered ?? 0) : '-',
        'event types':
          [...(rows[a]?.types ?? [])].slice(0, 8).join(', ') + ((rows[a]?.types.size ?? 0) > 8 ? ', ...' : ''),
      })),
    ),
  );
  say('  POLICE hears nothing of the case after the conflict of interest (a former police chief is a suspect):');
  say('  its vetted unit, cleared by name, gets its tasks through CLEARED; PARTNER only figures.');
  await nc.close();

  heading('The case as the prosecutor sees it (cases status)');
  say(renderStatus(await clients.prosecutor.status(caseId)));
  heading('The case as the partner analyst sees it: figures only');
  say(renderStatus(await clientFor('partner-1').status(caseId)));
  const p = await clients.care.protection(caseId, run.minor);
  say(`\nprotection of ${run.minor}: ${Object.keys(p.milestones).join(', ')}`);

  await openLiveCase(clients, `${caseId}-W`);
  showWebApp(config);
  showCaughtMails(config);

  heading('Temporal Web UI (admins)');
  const ns = config.TEMPORAL_NAMESPACE;
  say(`  ${config.TEMPORAL_UI_URL}/namespaces/${ns}/workflows?query=${encodeURIComponent(`CaseId="${caseId}"`)}`);
  say(`  case workflow: ${config.TEMPORAL_UI_URL}/namespaces/${ns}/workflows/${caseWorkflowId(caseId)}`);
  say('  Payloads are encrypted; admins sign in to the codec server to read them (see README).');
}

/**
 * The reference case runs to its verdict, so its tasks are all done. For the web inbox, the same story is opened
 * once more and left where staff have work to do: warrants for the judge to decide, a rescued baby girl's referral
 * and medical exam for child protection. (No official is a suspect in this copy, so the police see it too.)
 */
async function openLiveCase(clients: Record<keyof Desks, CasesClient>, caseId: string): Promise<void> {
  const { prosecutor, police, care } = clients;
  await prosecutor.open({ ...REFERENCE_CASE, caseId });
  await prosecutor.command(caseId, 'startInvestigation');
  const suspect = String(
    (await police.command(caseId, 'addSuspect', { name: 'Member 1 Apellido', roles: ['member'] })).result.suspectRef,
  );
  const locations: string[] = [];
  for (const district of ['Cercado', 'San Juan de Lurigancho', 'Comas']) {
    locations.push(
      String((await police.command(caseId, 'addLocation', { kind: 'home', district })).result.locationRef),
    );
  }
  await prosecutor.command(caseId, 'requestWarrant', { kind: 'search', locationRefs: locations });
  await prosecutor.command(caseId, 'requestWarrant', { kind: 'arrest', suspectRefs: [suspect] });
  const minor = String(
    (await police.command(caseId, 'addVictim', { name: 'Menor Inventada', minor: true, ageMonths: 5, sex: 'female' }))
      .result.victimRef,
  );
  await care.command(caseId, 'rescueMinor', { victimRef: minor, custodyRef: 'MIMP-CAR-07' });
}

function showWebApp(config: Config): void {
  heading('Staff web app (open it in a browser)');
  say(`  inbox: ${config.GATEWAY_URL}/inbox   (Spanish or English; a live list, task forms, case pages)`);
  say('  dev accounts (one password for all, below):');
  const accounts: [string, string][] = [
    ['judge-9', 'judge: the live case\u2019s two warrants to decide'],
    ['clerk-4', 'court clerk: sees the warrant tasks, may not decide them'],
    ['social-12', 'social worker: the rescued minor\u2019s referral and medical exam'],
    ['fiscal-017', 'lead prosecutor: case pages, requests warrants from the case page'],
    ['fiscal-coord-02', 'coordinating prosecutor (new tasks in a daily e-mail digest)'],
    ['pol-204', 'police officer (not cleared: the reference case does not exist for them)'],
    ['pol-311', 'police officer cleared by name on the reference case'],
    ['oversight-3', 'oversight investigator (mails in English)'],
  ];
  for (const [account, what] of accounts) say(`    ${account.padEnd(16)} ${what}`);
  say(`  password: node -p "require('${config.DATA_DIR}/identity/secrets.json').devPassword"`);
}

/** What the development SMTP sink caught: who was told what (task kind, case reference, due time, a link). */
function showCaughtMails(config: Config): void {
  heading('E-mail the notifier sent (caught by the development SMTP sink; nothing is relayed)');
  const dir = loadMailConfig(config).sink.dir;
  const mails = readCaughtMails(dir);
  if (mails.length === 0) {
    say(`  none yet in ${dir}/mails.jsonl (mail is sent when SMTP_URL is set; the dev stack sets it)`);
    return;
  }
  const byPerson = new Map<string, number>();
  for (const m of mails) for (const to of m.envelopeTo) byPerson.set(to, (byPerson.get(to) ?? 0) + 1);
  say(
    `  ${mails.length} mails in ${dir}/mails.jsonl: ${[...byPerson].map(([to, n]) => `${to.split('@')[0]} ${n}`).join(', ')}`,
  );
  for (const m of mails.slice(-8)) say(`    ${m.envelopeTo.join(', ').padEnd(28)} ${m.subject}`);
}

/** The prosecutor tries to approve their own warrant, then to pass as a judge in the body: both refused. */
async function refusedImpersonation(prosecutor: CasesClient, caseId: string, warrantRef: string): Promise<void> {
  say('\n  impersonation attempts:');
  try {
    await prosecutor.command(caseId, 'approveWarrant', { warrantRef });
    say('    UNEXPECTED: the prosecutor approved a warrant');
  } catch (err) {
    if (!(err instanceof AccessDeniedError)) throw err;
    say(`    prosecutor's token, approveWarrant ${warrantRef}: ${err.status} ${err.message}`);
  }
  try {
    await prosecutor.command(caseId, 'approveWarrant', {
      warrantRef,
      actor: { agency: 'JUDICIARY', roles: ['judge'] },
    });
    say('    UNEXPECTED: an actor in the arguments was accepted');
  } catch (err) {
    if (!(err instanceof InvalidInputError) && !(err instanceof AccessDeniedError)) throw err;
    say(`    ... with {"actor": a judge} in the arguments: ${err.message}`);
  }
}

run().catch((err) => {
  console.error('demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
