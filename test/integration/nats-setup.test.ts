/**
 * `cases setup --auth-config` and `cases dead-letters [replay]` as an operator runs them (runNatsVerb, the CLI's
 * NATS verbs): the authorization is written before any server runs, the admin then provisions everything on a
 * server that enforces it, a second setup changes nothing, and dead letters are listed and replayed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { runNatsVerb } from '../../src/cli/nats-verbs';
import { loadConfig, type Config } from '../../src/config';
import { openNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { credentialsDirFor } from '../../src/nats/credentials';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { recordDeadLetter } from '../../src/notifier/dead-letters';
import { freePort } from '../support/proc';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { eventMessages, only, silentLogger } from './notifier-fixtures';

let dir: string;
let server: NatsServerHandle | undefined;
const open: NatsConnection[] = [];
const authFile = () => join(dir, 'auth.conf');
const seed = (name: string) => join(credentialsDirFor(authFile()), `${name}.nk`);

/** The config a process gets from its env file: NATS_URL plus the identity's seed. */
function configAs(name: string, url: string): Config {
  const prefix = name === 'admin' ? {} : { NATS_INBOX_PREFIX: `_INBOX_${name}` };
  return Object.assign(loadConfig({ NATS_URL: url }), { NATS_NKEY_SEED_FILE: seed(name), ...prefix });
}

async function run(verb: 'setup' | 'dead-letters', config: Config, flags = {}, args: string[] = []) {
  const printed: Array<{ human: string; data: unknown }> = [];
  const code = await runNatsVerb(verb, config, flags, (human, data) => printed.push({ human, data }), args);
  return { code, printed };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'case-nats-setup-'));
});

afterAll(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cases setup --auth-config', () => {
  it('writes the authorization and credentials before any server runs, and says what to do next', async () => {
    const nowhere = `nats://127.0.0.1:${await freePort()}`;
    const { code, printed } = await run('setup', configAs('admin', nowhere), { 'auth-config': authFile() });
    expect(code).toBe(1);
    expect(printed[0]?.human).toMatch(/wrote .*auth\.conf .* 10 new, 0 kept/);
    expect(printed[1]?.human).toMatch(/start nats-server with this authorization, then run `cases setup` again/);
  });

  it('provisions everything as admin on a server that enforces it, and a second run changes nothing', async () => {
    const configFile = join(dir, 'nats.conf');
    writeFileSync(configFile, 'include ./auth.conf\n');
    server = await startNatsServer({ configFile, storeDir: join(dir, 'js') });
    const first = await run('setup', configAs('admin', server.url));
    expect(first.code).toBe(0);
    expect(first.printed[0]?.human).toMatch(/stream CASES: created\nstream CASES_AUDIT: created/);
    const again = await run('setup', configAs('admin', server.url), { 'auth-config': authFile() });
    expect(again.code).toBe(0);
    expect(again.printed[0]?.human).toMatch(/0 new, 10 kept/);
    const summary = again.printed[1]?.data as { consumers: Array<{ action: string }>; migration: string[] };
    expect(summary.consumers.every((c) => c.action === 'unchanged')).toBe(true);
    expect(summary.migration).toEqual([]);
  });

  it('refuses setup to a run-time identity: the notifier may not provision', async () => {
    if (!server) throw new Error('no server');
    await expect(run('setup', configAs('notifier', server.url))).rejects.toThrow(/Permissions Violation/);
  });
});

describe('cases dead-letters', () => {
  let buckets: NotifierBuckets;

  it('lists dead letters by agency and age, and replays the undeliverable ones as admin', async () => {
    if (!server) throw new Error('no server');
    const orchestrator = await connectNats(
      { NATS_URL: [server.url], NATS_NKEY_SEED_FILE: seed('orchestrator'), NATS_INBOX_PREFIX: '_INBOX_orchestrator' },
      { name: 'setup-test-orchestrator', logger: silentLogger() },
    );
    open.push(orchestrator);
    const message = only(eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' }), 'POLICE');
    const [ack] = await publishAgencyMessages(jetstream(orchestrator), [message], {
      streamName: 'CASES',
      timeoutMs: 5_000,
    });
    const notifier = await connectNats(
      { NATS_URL: [server.url], NATS_NKEY_SEED_FILE: seed('notifier'), NATS_INBOX_PREFIX: '_INBOX_notifier' },
      { name: 'setup-test-notifier', logger: silentLogger() },
    );
    open.push(notifier);
    buckets = await openNotifierBuckets(notifier);
    // What the notifier records when the horizon passes (the notifier's own path is tested in notifier-delivery).
    await recordDeadLetter(buckets.deadLetters, {
      agency: 'POLICE',
      eventId: message.event.id,
      source: message.event.source,
      reason: 'delivery-exhausted',
      detail: 'WebhookDeliveryError: HTTP 503',
      at: new Date().toISOString(),
      stream: 'CASES',
      streamSeq: ack?.seq ?? 0,
      subject: message.subject,
      deliveryCount: 1,
      msgId: message.msgId,
    });
    const admin = configAs('admin', server.url);
    const listed = await run('dead-letters', admin, { agency: 'POLICE', since: '1h' });
    expect(listed.printed[0]?.data).toMatchObject([{ agency: 'POLICE', eventId: message.event.id }]);
    expect((await run('dead-letters', admin, { agency: 'JUDICIARY' })).printed[0]?.data).toEqual([]);
    expect((await run('dead-letters', admin, { since: '2999-01-01T00:00:00Z' })).printed[0]?.data).toEqual([]);

    const replayed = await run('dead-letters', admin, { agency: 'POLICE' }, ['replay']);
    expect(replayed.code).toBe(0);
    expect(replayed.printed[0]?.data).toMatchObject([{ outcome: 'republished', eventId: message.event.id }]);
    // The copy is in the stream, on the same subject, with the same body: the same event for everyone downstream.
    const consumer = await jetstream(notifier).consumers.get('CASES', 'agency-POLICE');
    const first = await consumer.next({ expires: 2_000 });
    await first?.ackAck(); // one message at a time on the notifier's consumers
    const copy = await consumer.next({ expires: 2_000 });
    expect(copy?.subject).toBe(message.subject);
    expect(copy?.json()).toEqual(first?.json());
    // It names its record, which the notifier removes once the copy is delivered.
    const keys: string[] = [];
    for await (const k of await buckets.deadLetters.keys()) keys.push(k);
    expect(keys).toHaveLength(1);
    expect(copy?.headers?.get('Case-Dead-Letter')).toBe(keys[0]);
    await copy?.ackAck();

    // A run-time identity may not replay (it cannot read the stream by sequence).
    await expect(run('dead-letters', configAs('notifier', server.url), {}, ['replay'])).rejects.toThrow(
      /Permissions Violation/,
    );
    await expect(run('dead-letters', admin, {}, ['purge'])).rejects.toThrow(/the only subcommand is `replay`/);
    await expect(run('dead-letters', admin, { since: 'last week' })).rejects.toThrow(/--since/);
  });
});
