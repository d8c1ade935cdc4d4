/**
 * Faults on the production topology, the way `npm run stack:prod-local` runs it (scripts/prod-local.sh, started by
 * test/support/prod-topology.ts in a temp dir with databases of its own): the Temporal server on PostgreSQL behind
 * mTLS, a three-node NATS JetStream cluster with the stream and buckets at 3 replicas, two orchestrator worker
 * processes and the notifier process, delivering to a webhook receiver. Each fault runs under the load of a dozen
 * complete case lifecycles, and each is a real process death or outage:
 *   - kill -9 of the NATS node that leads the event stream (one node of three);
 *   - kill -9 of the Temporal server, then started again;
 *   - kill -9 of one of the two workers;
 *   - kill -9 of the notifier while a webhook request is in flight;
 *   - the webhook receiver refusing connections for longer than the notifier's old retry window (10 deliveries)
 *     (CASE_FAULT_WEBHOOK_OUTAGE_MS; default twice that window).
 * After each: cases lost 0 (every case CLOSED), events lost 0 (the audit stream holds exactly the events each case
 * emitted), notifications lost 0 and doubled 0 (every agency message accepted by its webhook exactly once). The
 * counts are printed per fault. A missing binary fails the file with the command that builds it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { AGENCIES } from '../../src/domain/agencies';
import { caseWorkflowId } from '../../src/domain/case-state';
import { resolvePolicy } from '../../src/domain/policy';
import { createLogger } from '../../src/logging';
import { connectNats } from '../../src/nats/connection';
import { CaseService } from '../../src/temporal/case-service';
import { connectClient } from '../../src/temporal/connection';
import { driveShortCase } from '../support/load';
import { uniqueCaseId } from '../support/orchestrator';
import { freePort, sleep } from '../support/proc';
import { natsServerBinary } from '../support/servers';
import { startProdTopology, type ProdTopology } from '../support/prod-topology';
import { startFaultReceiver, type FaultReceiver } from '../support/prod-webhooks';

const CASES_PER_FAULT = Number(process.env.CASE_FAULT_CASES ?? 12);
/** Notifier retry timing for the run: short, so that the old 10-delivery limit is a short window too. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 2_000;
const OLD_MAX_DELIVER = 10;
/** The old limit's window: the nak delays between its 10 deliveries (base·2^(n-1), capped at max). */
const OLD_RETRY_WINDOW_MS = Array.from({ length: OLD_MAX_DELIVER - 1 }, (_, i) =>
  Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** i),
).reduce((a, b) => a + b, 0);
const WEBHOOK_OUTAGE_MS = Number(process.env.CASE_FAULT_WEBHOOK_OUTAGE_MS ?? 2 * OLD_RETRY_WINDOW_MS);

jest.setTimeout(15 * 60_000);

interface Tally {
  fault: string;
  detail: string;
  cases: number;
  casesLost: number;
  events: number;
  eventsLost: number;
  eventsDoubled: number;
  notifications: number;
  notificationsLost: number;
  notificationsDoubled: number;
  /** Deliveries cut by the fault (caller killed mid-request), each redelivered once. */
  cut: number;
  seconds: number;
}

describe('faults on the production topology (scripts/prod-local.sh)', () => {
  let topology: ProdTopology;
  let receiver: FaultReceiver;
  let cases: CaseService;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const tallies: Tally[] = [];
  const codecKeys = `prodtest:${randomBytes(32).toString('base64')}`;

  beforeAll(async () => {
    const started = Date.now();
    receiver = await startFaultReceiver();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const webhooks: Record<string, string> = {};
    for (const agency of AGENCIES) {
      webhooks[`NOTIFIER_WEBHOOK_${agency}`] = receiver.urlFor(agency);
      webhooks[`NOTIFIER_WEBHOOK_SECRET_${agency}`] = secret;
    }
    topology = await startProdTopology({
      ui: true,
      env: {
        ...webhooks,
        CODEC_KEYS: codecKeys,
        NOTIFIER_RETRY_BASE: `${RETRY_BASE_MS}ms`,
        NOTIFIER_RETRY_MAX: `${RETRY_MAX_MS}ms`,
        // One attempt per delivery: every failure goes back to JetStream, which is what the retry window counts.
        NOTIFIER_WEBHOOK_ATTEMPTS: '1',
        NOTIFIER_WEBHOOK_TIMEOUT: '2s',
      },
    });
    // The admin's settings as the script wrote them (mTLS certificate, NATS identity): the project's own client
    // code connects with them, as the cases CLI does.
    const config = loadConfig({ ...topology.clientEnv, CODEC_KEYS: codecKeys, LOG_LEVEL: 'warn' });
    cases = new CaseService(await connectClient(config), config, resolvePolicy());
    nc = await connectNats(
      { NATS_URL: config.NATS_URL, ...natsSettings(topology.clientEnv) },
      { name: 'prod-fault-test', logger: createLogger({ level: 'silent' }), reconnectTimeWaitMs: 250 },
    );
    js = jetstream(nc);
    process.stdout.write(
      `\n[prod faults] topology up in ${Math.round((Date.now() - started) / 1000)} s (Temporal ${topology.temporalAddress}, ` +
        `NATS ${topology.natsUrls.join(',')}, db ${topology.database}); webhook outage ${WEBHOOK_OUTAGE_MS} ms ` +
        `(old retry window ${OLD_RETRY_WINDOW_MS} ms)\n`,
    );
  });

  afterAll(async () => {
    if (tallies.length > 0) process.stdout.write(`\n${formatTallies(tallies)}\n`);
    await nc?.close().catch(() => undefined);
    await cases?.client.connection.close().catch(() => undefined);
    await receiver?.close();
    await topology?.stop();
  });

  /** Runs a dozen lifecycles, injects the fault once they are under way, and counts what was lost or doubled. */
  async function underLoad(fault: string, label: string, inject: () => Promise<string>): Promise<Tally> {
    const started = Date.now();
    const ids = Array.from({ length: CASES_PER_FAULT }, () => uniqueCaseId(label));
    const load = Promise.allSettled(ids.map((id) => driveShortCase(cases, id, 300_000)));
    await sleep(1_500);
    const detail = await inject();
    const driven = await load;
    const failures = driven.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));

    let casesLost = 0;
    const emitted = new Map<string, number>();
    for (const id of ids) {
      const status = await cases.status(id).catch(() => undefined);
      if (status?.stage !== 'CLOSED') casesLost++;
      // Its outbox is drained when the workflow has completed: every event it emitted is acknowledged by JetStream.
      // (A case that did not close never completes: waiting for it would hang the test instead of failing it.)
      else
        await cases.client.workflow
          .getHandle(caseWorkflowId(id))
          .result()
          .catch(() => undefined);
      emitted.set(id, status?.eventsEmitted ?? 0);
    }

    // Events: the audit stream has each case's events, once each.
    const caseIds = new Set(ids);
    const audit = await readEvents(js, 'cases.AUDIT.>', caseIds);
    let events = 0;
    let eventsLost = 0;
    let eventsDoubled = 0;
    for (const id of ids) {
      const own = audit.filter((e) => e.subject === id && e.source.endsWith(`/${caseWorkflowId(id)}`));
      const unique = new Set(own.map((e) => e.id)).size;
      const want = emitted.get(id) ?? 0;
      events += want;
      eventsLost += Math.max(0, want - unique);
      eventsDoubled += own.length - unique;
    }

    // Notifications: every agency message of these cases accepted by that agency's webhook, exactly once.
    const expected = new Set<string>();
    for (const agency of AGENCIES) {
      for (const e of await readEvents(js, `cases.${agency}.>`, caseIds)) expected.add(`${agency}/${e.id}`);
    }
    const ours = (key: string) => expected.has(key);
    let accepted = new Map<string, number>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      accepted = new Map([...receiver.acceptedCounts()].filter(([key]) => ours(key)));
      if ([...expected].every((k) => accepted.has(k)) || Date.now() > deadline) break;
      await sleep(250);
    }
    const notificationsLost = [...expected].filter((k) => !accepted.has(k)).length;
    const notificationsDoubled = [...accepted.values()].reduce((n, c) => n + c - 1, 0);
    const cut = receiver.deliveries.filter((d) => d.outcome === 'cut' && caseIds.has(d.caseId)).length;

    const tally: Tally = {
      fault,
      detail,
      cases: ids.length,
      casesLost,
      events,
      eventsLost,
      eventsDoubled,
      notifications: expected.size,
      notificationsLost,
      notificationsDoubled,
      cut,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    tallies.push(tally);
    process.stdout.write(`[prod faults] ${formatTallies([tally]).split('\n').slice(2).join('\n')}\n`);
    expect(failures).toEqual([]);
    expect({ casesLost, eventsLost, eventsDoubled, notificationsLost, notificationsDoubled }).toEqual({
      casesLost: 0,
      eventsLost: 0,
      eventsDoubled: 0,
      notificationsLost: 0,
      notificationsDoubled: 0,
    });
    expect(events).toBeGreaterThan(ids.length);
    expect(expected.size).toBeGreaterThan(ids.length);
    return tally;
  }

  it('runs as configured: mTLS enforced, the Web UI through mTLS, R3 stream, idempotent up', async () => {
    // No client certificate, or no TLS at all: the frontend lets nobody in.
    const ca = readFileSync(topology.admin.ca);
    await expect(
      Connection.connect({
        address: topology.temporalAddress,
        connectTimeout: '3s',
        tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost' },
      }).then((c) => c.workflowService.getSystemInfo({}).finally(() => c.close())),
    ).rejects.toThrow();
    await expect(
      Connection.connect({ address: topology.temporalAddress, connectTimeout: '3s' }).then((c) =>
        c.workflowService.getSystemInfo({}).finally(() => c.close()),
      ),
    ).rejects.toThrow();
    // The admin certificate is enough, and our search attributes are registered on the namespace.
    const { customAttributes } = await cases.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['CaseId', 'CaseStage']));
    // The Web UI server reaches the frontend with its own certificate.
    const ns = (await (await fetch(`${topology.uiUrl}/api/v1/namespaces/default`)).json()) as {
      namespaceInfo?: { name?: string };
    };
    expect(ns.namespaceInfo?.name).toBe('default');
    // The event stream keeps three copies, one per node.
    const info = await (await jetstreamManager(nc)).streams.info(await streamFor('cases.POLICE.x'));
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);
    // A second `up` reuses every process that runs.
    const names = [
      'temporal',
      'temporal-ui',
      'nats-1',
      'nats-2',
      'nats-3',
      'orchestrator-1',
      'orchestrator-2',
      'notifier',
    ];
    const before = names.map((n) => topology.pid(n));
    await topology.up();
    expect(names.map((n) => topology.pid(n))).toEqual(before);
    expect((await topology.status()).code).toBe(0);
  });

  it('routes between the NATS nodes on mutual TLS: a server without the route certificate cannot join', async () => {
    const monitor = async <T>(node: number, path: string) =>
      (await (await fetch(`${topology.natsMonitorUrl(node)}${path}`)).json()) as T;
    const nodes = [1, 2, 3];
    for (const n of nodes) {
      const varz = await monitor<{ cluster?: { tls_required?: boolean; tls_verify?: boolean } }>(n, '/varz');
      expect(varz.cluster).toMatchObject({ tls_required: true, tls_verify: true });
      const routez = await monitor<{ routes: { remote_name: string }[] }>(n, '/routez');
      expect(new Set(routez.routes.map((r) => r.remote_name))).toEqual(
        new Set(nodes.filter((m) => m !== n).map((m) => `nats-${m}`)),
      );
    }
    // An intruder: a plain nats-server of the same cluster name, routing to node 1 without TLS.
    const clusterPort1 = topology.portBase + 622; // scripts/prod-local.sh: nats_cluster_port 1
    const intruder = spawn(
      natsServerBinary(),
      ['-a', '127.0.0.1', '-p', String(await freePort()), '-n', 'intruder', '--cluster_name', 'cases'].concat([
        '--cluster',
        `nats://127.0.0.1:${await freePort()}`,
        '--routes',
        `nats-route://127.0.0.1:${clusterPort1}`,
      ]),
      { stdio: 'ignore' },
    );
    try {
      await sleep(3_000);
      expect(intruder.exitCode).toBeNull(); // it ran, and tried
      const routez = await monitor<{ routes: { remote_name: string }[] }>(1, '/routez');
      expect(routez.routes.map((r) => r.remote_name)).not.toContain('intruder');
    } finally {
      intruder.kill('SIGKILL');
    }
  });

  it('loses nothing when the NATS node leading the event stream is killed (kill -9, 1 of 3)', async () => {
    await underLoad('NATS leader kill -9', 'NATS', async () => {
      const stream = await streamFor('cases.POLICE.x');
      const leader = (await (await jetstreamManager(nc)).streams.info(stream)).cluster?.leader ?? 'nats-1';
      const pid = await topology.kill9(leader);
      await sleep(5_000);
      await topology.up();
      return `${leader} (pid ${pid}) killed, restarted after 5 s`;
    });
  });

  it('loses nothing when the Temporal server is killed (kill -9) and started again', async () => {
    await underLoad('Temporal kill -9', 'TEMPORAL', async () => {
      const pid = await topology.kill9('temporal');
      await sleep(2_000);
      const t0 = Date.now();
      await topology.up();
      return `pid ${pid} killed; back in ${Math.round((Date.now() - t0) / 100) / 10} s`;
    });
  });

  it('loses nothing when one of the two workers is killed (kill -9)', async () => {
    await underLoad('worker kill -9', 'WORKER', async () => {
      const pid = await topology.kill9('orchestrator-1');
      // The other worker carries on alone for a while; then the operator (here: up) restores the pair.
      await sleep(10_000);
      await topology.up();
      return `orchestrator-1 (pid ${pid}) killed, restarted after 10 s`;
    });
  });

  it('delivers each notification once when the notifier is killed (kill -9) in the middle of its deliveries', async () => {
    const tally = await underLoad('notifier kill -9', 'NOTIFIER', async () => {
      // From now on the receiver answers nothing: requests pile up, one in flight per agency the notifier serves.
      const freeze = receiver.freeze(60_000);
      await freeze.first;
      // Deliveries answered before the freeze have had time to be recorded (mark, ack); the held ones are the
      // deliveries the notifier is in the middle of when it dies.
      await sleep(1_000);
      const pid = await topology.kill9('notifier');
      const cut = (await Promise.all(freeze.held.map((h) => h.settled))).filter(Boolean).length;
      freeze.thaw();
      await topology.up();
      return `pid ${pid} killed in the middle of ${cut} deliveries (${freeze.held.map((h) => h.agency).join(', ')})`;
    });
    // The requests in flight died with the process: each is delivered again, once, and never accepted twice.
    expect(tally.cut).toBeGreaterThanOrEqual(1);
  });

  it(`delivers everything after the webhook receiver is down for ${WEBHOOK_OUTAGE_MS} ms (longer than the old 10-delivery window)`, async () => {
    expect(WEBHOOK_OUTAGE_MS).toBeGreaterThan(OLD_RETRY_WINDOW_MS);
    const before = await notifierCounters();
    await underLoad('webhook outage', 'WEBHOOK', async () => {
      await receiver.down();
      await sleep(WEBHOOK_OUTAGE_MS);
      await receiver.upAgain();
      return `receiver refused connections for ${WEBHOOK_OUTAGE_MS} ms (old window ${OLD_RETRY_WINDOW_MS} ms)`;
    });
    // The outage was felt (deliveries failed and were retried), and nothing was given up on.
    const after = await notifierCounters();
    expect(after.retried - before.retried).toBeGreaterThan(0);
    expect(after.deadLettered - before.deadLettered).toBe(0);
  });

  /** The notifier's own counters (its Prometheus endpoint, METRICS_PORT = port base + 466 in prod-local.sh). */
  async function notifierCounters(): Promise<{ retried: number; deadLettered: number }> {
    const text = await (await fetch(`http://127.0.0.1:${topology.portBase + 466}/metrics`)).text();
    const sum = (name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    return { retried: sum('notifier_retried_total'), deadLettered: sum('notifier_dead_lettered_total') };
  }

  /** The stream that stores a subject (the event stream, or the sealed audit stream for cases.AUDIT.>). */
  async function streamFor(subject: string): Promise<string> {
    return (await jetstreamManager(nc)).streams.find(subject);
  }

  /**
   * Every CloudEvent on a subject filter for the given cases, through an ordered consumer (no durable state). Read
   * again from the start if the cluster is still settling after a fault (a JetStream API call without responders).
   */
  async function readEvents(
    client: JetStreamClient,
    filter: string,
    caseIds: Set<string>,
  ): Promise<Array<{ id: string; subject: string; source: string }>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await readEventsOnce(client, filter, caseIds);
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(1_000 * attempt);
      }
    }
  }

  async function readEventsOnce(
    client: JetStreamClient,
    filter: string,
    caseIds: Set<string>,
  ): Promise<Array<{ id: string; subject: string; source: string }>> {
    const stream = await streamFor(filter.replace('>', 'x'));
    const consumer = await client.consumers.get(stream, { filter_subjects: filter });
    const out: Array<{ id: string; subject: string; source: string }> = [];
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
      let got = 0;
      let pending = 1;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        const e = m.json<{ id: string; subject: string; source: string }>();
        if (caseIds.has(e.subject)) out.push(e);
      }
      if (got === 0 || pending === 0) return out;
    }
  }
});

/** The admin's NATS identity and the servers' CA, when the topology's NATS asks for them. */
function natsSettings(env: Record<string, string>): { NATS_NKEY_SEED_FILE?: string; NATS_TLS_CA_FILE?: string } {
  return {
    ...(env.NATS_NKEY_SEED_FILE ? { NATS_NKEY_SEED_FILE: env.NATS_NKEY_SEED_FILE } : {}),
    ...(env.NATS_TLS_CA_FILE ? { NATS_TLS_CA_FILE: env.NATS_TLS_CA_FILE } : {}),
  };
}

function formatTallies(tallies: Tally[]): string {
  const header = [
    'fault',
    'cases',
    'lost',
    'events',
    'lost',
    'doubled',
    'notifications',
    'lost',
    'doubled',
    'cut+redelivered',
    's',
  ];
  const rows = tallies.map((t) => [
    t.fault,
    t.cases,
    t.casesLost,
    t.events,
    t.eventsLost,
    t.eventsDoubled,
    t.notifications,
    t.notificationsLost,
    t.notificationsDoubled,
    t.cut,
    t.seconds,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: Array<string | number>) => cells.map((c, i) => String(c).padEnd(widths[i] as number)).join('  ');
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...tallies.map((t) => `  ${t.fault}: ${t.detail}`),
  ].join('\n');
}
