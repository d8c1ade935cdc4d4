/**
 * Least privilege, enforced by a real nats-server running the authorization `cases setup --auth-config` writes
 * (NKEY users, included from the server config as in deploy/nats). Each run-time identity can do its job, and
 * each thing it must not do is refused by the server: the notifier cannot purge, trim, reconfigure or read around
 * the sealed audit stream; the orchestrator cannot read; the gateway cannot write; an agency reads only its own
 * consumer, and reading it takes nothing from the notifier. Both streams are checked unchanged afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, AckPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Agency } from '../../src/domain/agencies';
import { identities, type Identity } from '../../src/nats/auth-config';
import { ensureNotifierBuckets, openBucket, openNotifierBuckets, TASK_INBOX_BUCKET } from '../../src/nats/buckets';
import { connectNats } from '../../src/nats/connection';
import { credentialsDirFor, writeNkeyCredentials } from '../../src/nats/credentials';
import { publishAgencyMessages } from '../../src/nats/publisher';
import { ensureJetStream } from '../../src/nats/stream';
import { auditStreamName } from '../../src/nats/subjects';
import type { Delivery } from '../../src/notifier/channels';
import { Notifier } from '../../src/notifier/notifier';
import { startNatsServer, type NatsServerHandle } from '../support/servers';
import { eventMessages, eventually, humanTask, silentLogger, taskMessages } from './notifier-fixtures';

const STREAM = 'CASES';
const AUDIT_STREAM = auditStreamName(STREAM);
const REFUSED = /Permissions Violation/;
const logger = silentLogger();
const ids = identities({ stream: STREAM });
const open: NatsConnection[] = [];

let dir: string;
let server: NatsServerHandle;
let admin: NatsConnection;
let adminJsm: JetStreamManager;

function identity(name: string): Identity {
  const id = ids.find((i) => i.name === name);
  if (!id) throw new Error(`no identity ${name}`);
  return id;
}

/** Connects with the identity's NKEY seed and reply prefix, as its env file from setup would. */
async function connectAs(name: string, opts: { inboxPrefix?: string } = {}): Promise<NatsConnection> {
  const id = identity(name);
  const conn = await connectNats(
    {
      NATS_URL: [server.url],
      NATS_NKEY_SEED_FILE: join(credentialsDirFor(join(dir, 'auth.conf')), `${name}.nk`),
      ...((opts.inboxPrefix ?? id.inboxPrefix) ? { NATS_INBOX_PREFIX: opts.inboxPrefix ?? id.inboxPrefix } : {}),
    },
    { name: `auth-test-${name}`, logger },
  );
  open.push(conn);
  return conn;
}

/** What must not change, whatever the run-time identities try: contents, limits and seals of both streams. */
async function snapshot(): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [STREAM, AUDIT_STREAM]) {
    const info = await adminJsm.streams.info(name);
    const consumers: string[] = [];
    for await (const c of adminJsm.consumers.list(name)) consumers.push(c.name);
    const { messages, first_seq, last_seq, bytes } = info.state;
    const { subjects, max_age, deny_delete, deny_purge, allow_rollup_hdrs } = info.config;
    out[name] = {
      state: { messages, first_seq, last_seq, bytes },
      config: { subjects, max_age, deny_delete, deny_purge, allow_rollup_hdrs },
      consumers: consumers.sort(),
    };
  }
  return out;
}

let before: unknown;
const judiciaryTask = humanTask(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'case-nats-auth-'));
  writeNkeyCredentials(join(dir, 'auth.conf'), ids);
  // As in deploy/nats/*.conf: the server's own settings, and the generated authorization included.
  const configFile = join(dir, 'nats.conf');
  writeFileSync(configFile, 'include ./auth.conf\n', { mode: 0o600 });
  server = await startNatsServer({ configFile, storeDir: join(dir, 'js') });

  admin = await connectAs('admin');
  adminJsm = await jetstreamManager(admin);
  await ensureJetStream({ NATS_STREAM: STREAM, NATS_STREAM_MAX_AGE: '1d', NATS_DUPLICATE_WINDOW: '2h' }, admin);
  await ensureNotifierBuckets(admin, { leaseTtlMs: 3_000 });

  // The orchestrator publishes with acks, and nothing else: one event for POLICE and JUDICIARY, a task, AUDIT copies.
  const orchestrator = await connectAs('orchestrator');
  const acks = await publishAgencyMessages(
    jetstream(orchestrator),
    [...eventMessages(1, 'warrant-approved', { warrantRef: 'W-1' }), ...taskMessages(2, 'task-created', judiciaryTask)],
    { streamName: STREAM, timeoutMs: 5_000 },
  );
  expect(acks).toHaveLength(6);
  before = await snapshot();
});

afterAll(async () => {
  for (const conn of open) await conn.close().catch(() => undefined);
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('least privilege on NATS, enforced by the server', () => {
  it('keeps AUDIT copies in the sealed stream and agency copies in the event stream', async () => {
    const audit = await adminJsm.streams.info(AUDIT_STREAM);
    expect(audit.state.messages).toBe(2);
    expect(audit.config).toMatchObject({ deny_delete: true, deny_purge: true, allow_rollup_hdrs: false });
    expect((await adminJsm.streams.info(STREAM)).state.messages).toBe(4);
  });

  it('refuses the orchestrator any reading: consumers, stream info, or a consumer of its own', async () => {
    const orchestrator = await connectAs('orchestrator');
    const js = jetstream(orchestrator, { timeout: 2_000 });
    await expect(js.consumers.get(STREAM, 'agency-POLICE')).rejects.toThrow(REFUSED);
    await expect(js.consumers.get(AUDIT_STREAM, 'audit')).rejects.toThrow(REFUSED);
    const jsm = await jetstreamManager(orchestrator, { checkAPI: false, timeout: 2_000 });
    await expect(jsm.streams.info(STREAM)).rejects.toThrow(REFUSED);
    await expect(jsm.consumers.add(STREAM, { ack_policy: AckPolicy.None })).rejects.toThrow(REFUSED);
  });

  it("lets an agency read its own direct consumer, which takes nothing from the notifier's", async () => {
    const police = await connectAs('agency-POLICE');
    const direct = await jetstream(police).consumers.get(STREAM, 'direct-POLICE');
    const m = await direct.next({ expires: 2_000 });
    expect(m?.subject).toBe('cases.POLICE.warrant-approved');
    expect(await m?.ackAck()).toBe(true);
    // The notifier's consumer still has it waiting.
    expect((await adminJsm.consumers.info(STREAM, 'agency-POLICE')).num_pending).toBe(1);
  });

  it("refuses an agency another agency's consumer, the notifier's consumer, and the audit consumer", async () => {
    const police = await connectAs('agency-POLICE');
    const js = jetstream(police, { timeout: 2_000 });
    for (const [stream, consumer] of [
      [STREAM, 'direct-JUDICIARY'],
      [STREAM, 'agency-POLICE'],
      [AUDIT_STREAM, 'audit'],
    ] as const) {
      await expect(js.consumers.get(stream, consumer)).rejects.toThrow(REFUSED);
    }
    // Nor can it ask for the next message directly, bypassing the info call.
    await expect(
      police.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.direct-JUDICIARY`, JSON.stringify({ batch: 1 }), {
        timeout: 2_000,
      }),
    ).rejects.toThrow(REFUSED);
  });

  it("refuses an agency another agency's subjects, the shared inbox and another's reply prefix", async () => {
    const police = await connectAs('agency-POLICE');
    for (const subject of ['cases.JUDICIARY.>', 'cases.>', 'cases.AUDIT.>', '_INBOX.>', '_INBOX_JUDICIARY.>']) {
      const sub = police.subscribe(subject);
      const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r('still open'), 3_000))]);
      expect(String(closed)).toMatch(/permission/i);
    }
  });

  it('refuses an agency user that does not use its own reply prefix, and refuses it publishing events', async () => {
    const wrongPrefix = await connectAs('agency-POLICE', { inboxPrefix: '_INBOX_JUDICIARY' });
    await expect(jetstream(wrongPrefix, { timeout: 2_000 }).consumers.get(STREAM, 'direct-POLICE')).rejects.toThrow(
      /Permissions Violation for Subscription to "_INBOX_JUDICIARY\./,
    );
    const police = await connectAs('agency-POLICE');
    await expect(
      publishAgencyMessages(jetstream(police), eventMessages(9, 'warrant-approved', { warrantRef: 'W-9' }), {
        streamName: STREAM,
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow(/Permissions Violation for Publish to "cases\./);
  });

  it('lets the notifier run on its own consumers and buckets only', async () => {
    const conn = await connectAs('notifier');
    const delivered: Delivery[] = [];
    const notifier = new Notifier({
      nc: conn,
      stream: STREAM,
      agencies: ['POLICE', 'JUDICIARY'],
      buckets: await openNotifierBuckets(conn),
      channels: [{ name: 'record', deliver: async (d) => void delivered.push(d) }],
      logger,
    });
    await notifier.start();
    try {
      await eventually('both agencies notified', () => notifier.counters.delivered === 3);
    } finally {
      await notifier.stop();
    }
    expect(delivered.map((d) => `${d.reader} ${d.eventType}`).sort()).toEqual([
      'JUDICIARY task-created',
      'JUDICIARY warrant-approved',
      'POLICE warrant-approved',
    ]);
    const inbox = await openBucket(conn, TASK_INBOX_BUCKET);
    expect(await inbox.get(`JUDICIARY.${judiciaryTask.id.replace(/~/g, '=')}`)).not.toBeNull();
  });

  it('refuses the notifier purging, trimming, reconfiguring or deleting either stream', async () => {
    const conn = await connectAs('notifier');
    const jsm = await jetstreamManager(conn, { checkAPI: false, timeout: 2_000 });
    for (const stream of [AUDIT_STREAM, STREAM]) {
      await expect(jsm.streams.purge(stream)).rejects.toThrow(REFUSED);
      await expect(jsm.streams.deleteMessage(stream, 1)).rejects.toThrow(REFUSED);
      await expect(
        conn.request(`$JS.API.STREAM.UPDATE.${stream}`, JSON.stringify({ name: stream, max_age: 1e9 }), {
          timeout: 2_000,
        }),
      ).rejects.toThrow(REFUSED);
      await expect(jsm.streams.delete(stream)).rejects.toThrow(REFUSED);
    }
  });

  it('refuses the notifier reading around the audit seal: no ephemeral consumer, no direct or stored reads', async () => {
    const conn = await connectAs('notifier');
    const jsm = await jetstreamManager(conn, { checkAPI: false, timeout: 2_000 });
    await expect(
      jsm.consumers.add(AUDIT_STREAM, { ack_policy: AckPolicy.None, filter_subject: 'cases.AUDIT.>' }),
    ).rejects.toThrow(REFUSED);
    await expect(jetstream(conn, { timeout: 2_000 }).consumers.get(AUDIT_STREAM)).rejects.toThrow(REFUSED);
    await expect(jsm.streams.getMessage(AUDIT_STREAM, { seq: 1 })).rejects.toThrow(REFUSED);
    await expect(jsm.direct.getMessage(AUDIT_STREAM, { seq: 1 })).rejects.toThrow(REFUSED);
    await expect(jetstream(conn, { timeout: 2_000 }).consumers.get(AUDIT_STREAM, 'audit')).rejects.toThrow(REFUSED);
    // Nor an ephemeral consumer on the event stream (which would read any agency's events past its consumers).
    await expect(jsm.consumers.add(STREAM, { ack_policy: AckPolicy.None })).rejects.toThrow(REFUSED);
  });

  it('refuses the notifier publishing case events', async () => {
    const conn = await connectAs('notifier');
    await expect(
      publishAgencyMessages(jetstream(conn), eventMessages(10, 'warrant-approved', { warrantRef: 'W-10' }), {
        streamName: STREAM,
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow(/Permissions Violation for Publish to "cases\./);
  });

  it('lets the gateway get, list and watch the inbox, and refuses it writing or reading anything else', async () => {
    const conn = await connectAs('gateway');
    const inbox = await openBucket(conn, TASK_INBOX_BUCKET);
    const keys: string[] = [];
    for await (const k of await inbox.keys()) keys.push(k);
    expect(keys).toEqual([`JUDICIARY.${judiciaryTask.id.replace(/~/g, '=')}`]);
    expect((await inbox.get(keys[0] as string))?.json<{ assignee: Agency }>().assignee).toBe('JUDICIARY');
    const watch = await inbox.watch();
    for await (const e of watch) {
      expect(e.key).toBe(keys[0]);
      break;
    }
    await expect(inbox.put('JUDICIARY.forged', '{}')).rejects.toThrow(REFUSED);
    await expect(inbox.delete(keys[0] as string)).rejects.toThrow(REFUSED);
    await expect(openBucket(conn, 'case-notifier-seen')).rejects.toThrow(REFUSED);
    const kvm = new Kvm(conn);
    await expect(kvm.create('gateway-made', { history: 1 })).rejects.toThrow(REFUSED);
    await expect(jetstream(conn, { timeout: 2_000 }).consumers.get(STREAM, 'agency-JUDICIARY')).rejects.toThrow(
      REFUSED,
    );
  });

  it('leaves both streams as they were: contents, limits, seals and consumers', async () => {
    expect(await snapshot()).toEqual(before);
    // The seal holds even against the admin: the server itself refuses to purge or trim the audit stream.
    await expect(adminJsm.streams.purge(AUDIT_STREAM)).rejects.toThrow(/purge not permitted/);
    await expect(adminJsm.streams.deleteMessage(AUDIT_STREAM, 1)).rejects.toThrow(/delete not permitted/);
  });
});
