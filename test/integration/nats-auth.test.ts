/**
 * Need-to-know enforced by the server: with the rendered auth config, an agency's user can read and
 * ack its own consumer only. It cannot read another agency's consumer, subscribe to another agency's
 * subjects, use the shared inbox, or publish case events. The privileged users can do their jobs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../../src/domain/agencies';
import { agencyUserName, renderNatsAuthConfig, type NatsUsers } from '../../src/nats/auth-config';
import { ensureNotifierBuckets } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import { Notifier } from '../../src/notifier/notifier';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { eventMessages, eventually, silentLogger } from './notifier-fixtures';

const STREAM = 'CASES';
const password = () => randomBytes(24).toString('base64url');
const users: NatsUsers = {
  orchestrator: password(),
  notifier: password(),
  admin: password(),
  agencies: { POLICE: password(), JUDICIARY: password() },
};
const logger = silentLogger();
const open: NatsConnection[] = [];

let dir: string;
let server: NatsServerHandle;

async function connectAs(user: string, pass: string, agency?: Agency): Promise<NatsConnection> {
  const conn = await connectNats(
    { NATS_URL: [server.url], NATS_USER: user, NATS_PASSWORD: pass },
    { name: `auth-test-${user}`, logger, ...(agency ? { agency } : {}) },
  );
  open.push(conn);
  return conn;
}

const agencyPassword = (a: Agency) => users.agencies[a] as string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'case-nats-auth-'));
  const configFile = join(dir, 'nats.conf');
  writeFileSync(configFile, renderNatsAuthConfig({ users, stream: STREAM }), {
    mode: 0o600,
  });
  server = await startNatsServer({ configFile, storeDir: join(dir, 'js') });

  // The orchestrator sets up the stream and publishes one event to POLICE and JUDICIARY each.
  const orchestrator = await connectAs('orchestrator', users.orchestrator);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, orchestrator);
  await publishAgencyMessages(jetstream(orchestrator), eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' }), {
    streamName: STREAM,
    timeoutMs: 5_000,
  });
});

afterAll(async () => {
  for (const conn of open) await conn.close().catch(() => undefined);
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('per-agency NATS users', () => {
  it("let an agency fetch and ack its own consumer's events", async () => {
    const police = await connectAs(agencyUserName('POLICE'), agencyPassword('POLICE'), 'POLICE');
    const consumer = await jetstream(police).consumers.get(STREAM, 'agency-POLICE');
    const m = await consumer.next({ expires: 2_000 });
    expect(m?.subject).toBe('cases.POLICE.warrant-approved');
    expect(await m?.ackAck()).toBe(true);
  });

  it("refuse an agency another agency's consumer", async () => {
    const police = await connectAs(agencyUserName('POLICE'), agencyPassword('POLICE'), 'POLICE');
    const js = jetstream(police, { timeout: 2_000 });
    await expect(js.consumers.get(STREAM, 'agency-JUDICIARY')).rejects.toThrow(/Permissions Violation for Publish/);
    // Nor can it ask for the next message directly, bypassing the info call.
    await expect(
      police.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.agency-JUDICIARY`, JSON.stringify({ batch: 1 }), {
        timeout: 2_000,
      }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
  });

  it("refuse an agency a subscription to another agency's subjects, or to the shared inbox", async () => {
    const police = await connectAs(agencyUserName('POLICE'), agencyPassword('POLICE'), 'POLICE');
    for (const subject of ['cases.JUDICIARY.>', 'cases.>', '_INBOX.>']) {
      const sub = police.subscribe(subject);
      const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r('still open'), 3_000))]);
      expect(String(closed)).toMatch(/permission/i);
    }
  });

  it('refuse an agency publishing case events', async () => {
    const police = await connectAs(agencyUserName('POLICE'), agencyPassword('POLICE'), 'POLICE');
    const errors: string[] = [];
    (async () => {
      for await (const s of police.status()) if (s.type === 'error') errors.push(String(s.error));
    })().catch(() => undefined);
    police.publish('cases.POLICE.warrant-approved', '{}');
    await eventually('a permission error', () => errors.some((e) => /permission/i.test(e)), 5_000);
  });

  it('refuse an agency user that does not use its own inbox prefix', async () => {
    const police = await connectAs(agencyUserName('POLICE'), agencyPassword('POLICE'));
    await expect(jetstream(police, { timeout: 2_000 }).consumers.get(STREAM, 'agency-POLICE')).rejects.toThrow(
      /Permissions Violation for Subscription to "_INBOX\./,
    );
  });

  it('let the notifier user read agency consumers and keep its KV buckets', async () => {
    const conn = await connectAs('notifier', users.notifier);
    const buckets = await ensureNotifierBuckets(conn);
    const notifier = new Notifier({ nc: conn, stream: STREAM, agencies: ['JUDICIARY'], buckets, channels: [], logger });
    await notifier.start();
    try {
      await eventually('the JUDICIARY event handled', () => notifier.counters.delivered === 1);
    } finally {
      await notifier.stop();
    }
    // ...but not publish case events.
    await expect(
      publishAgencyMessages(jetstream(conn), eventMessages(2, 'warrant-approved', { warrantRef: 'W-2' }), {
        streamName: STREAM,
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow(/Permissions Violation for Publish to "cases\./);
  });
});
