/**
 * B7 the live inbox. One sample = a warrant request accepted (the prosecutor's Update returned) until the judge's
 * task row is in the DOM of an inbox open in a real browser (Chromium through playwright-core, signed in through the
 * development identity provider's own page). The path measured: the workflow's event publication, JetStream, the
 * notifier's inbox projection (KV), the gateway's KV watch, the access and clearance test, the row rendered in the
 * judge's language, server-sent events, the page's script inserting the row. The browser reports the insertion
 * through a MutationObserver calling an exposed binding; the clock is this process's monotonic one, so a sample
 * includes the binding's trip back (conservative). After each sample the judge's side approves the warrant and the
 * sample waits for the row to leave, so every sample starts from a quiet inbox.
 *
 * Figure: p99(accepted → visible) ÷ the B2 floor p99 of the same run (no-op Update round trip + raw JetStream
 * publish → consume), target ≤ 2.
 *
 * `node dist/bench/b7-inbox.js` runs B2 and B7 on a stack of their own (BENCH_QUICK=1 for a smoke run);
 * bench/run.ts runs it after B2 with B2's result.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Page } from 'playwright-core';
import { createGateway } from '../src/gateway/app';
import { createTokenVerifier } from '../src/identity/verify';
import { createLogger } from '../src/logging';
import { ensureNotifierBuckets } from '../src/nats/buckets';
import { connectNats } from '../src/nats/connection';
import { ensureJetStream } from '../src/nats/stream';
import { Notifier } from '../src/notifier/notifier';
import { connectClient } from '../src/temporal/connection';
import type { WebConfig } from '../src/web/config';
import { launchChromium } from '../test/support/browser';
import { signIn } from '../test/support/browser-web';
import { startIdentityProvider } from '../test/support/identity';
import { freePort } from '../test/support/proc';
import { runB2, type B2Result } from './b2-latency';
import { buildBundles } from './bundles';
import { benchCase, JUDGE, PROSECUTION } from './cases';
import { casesClient, type BenchContext, type WorkerPair } from './context';
import { loadSettings } from './settings';
import { REPO_ROOT, startBenchStack } from './stack';
import { distribution, now, round, type Distribution } from './stats';
import { WorkerProcess } from './worker-process';

export interface B7Result {
  samples: number;
  /**
   * Update accepted (executeUpdate returned) → row in the open inbox. Can be negative: the event may be published,
   * and the row shown, before the Update's answer reaches the client.
   */
  visible: Distribution;
  /** Command sent → row in the open inbox (includes the Update round trip): the conservative end-to-end figure. */
  fromSent: Distribution;
  /** The B2 floor of the same run. */
  floor: { p50: number; p99: number };
  ratioP50: number;
  /** The figure (target ≤ 2): p99(visible) ÷ floor p99. */
  ratioP99: number;
  /** p99(fromSent) ÷ floor p99. */
  fromSentRatioP99: number;
}

function sizes(quick: boolean): { samples: number; warmup: number } {
  const int = (name: string, fallback: number) => {
    const n = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: must be a positive integer`);
    return n;
  };
  return { samples: int('BENCH_B7_SAMPLES', quick ? 30 : 200), warmup: int('BENCH_B7_WARMUP', quick ? 5 : 20) };
}

/** Times at which the page reported a row added or removed, with waiters for those not seen yet. */
class Sightings {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();

  record(key: string, t: number): void {
    const w = this.waiters.get(key);
    if (w) {
      this.waiters.delete(key);
      w(t);
    } else this.seen.set(key, t);
  }

  wait(key: string, timeoutMs = 30_000): Promise<number> {
    const t = this.seen.get(key);
    if (t !== undefined) {
      this.seen.delete(key);
      return Promise.resolve(t);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`B7: the inbox did not show ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

async function watchRows(page: Page, sightings: Sightings): Promise<void> {
  await page.exposeBinding('__b7', (_source, kind: string, id: string) => sightings.record(`${kind}/${id}`, now()));
  await page.evaluate(`(() => {
    const tbody = document.querySelector('#inbox tbody');
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        for (const n of m.addedNodes) if (n.dataset && n.dataset.task) window.__b7('added', n.dataset.task);
        for (const n of m.removedNodes) if (n.dataset && n.dataset.task) window.__b7('removed', n.dataset.task);
      }
    }).observe(tbody, { childList: true });
  })()`);
}

export async function runB7(ctx: BenchContext, workers: WorkerPair, b2: Pick<B2Result, 'floor'>): Promise<B7Result> {
  const { samples, warmup } = sizes(ctx.settings.quick);
  const cases = casesClient(ctx, workers.caseQueue);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startIdentityProvider({ env: { GATEWAY_URL: url } });
  const buckets = await ensureNotifierBuckets(ctx.nc);
  const logger = createLogger({ level: 'warn', name: 'bench-b7' });
  // The judiciary's notifier only: it keeps the judge's task inbox.
  const notifier = new Notifier({
    nc: ctx.nc,
    stream: ctx.config.NATS_STREAM,
    agencies: ['JUDICIARY'],
    cleared: false,
    buckets,
    channels: [],
    logger,
  });
  await notifier.start();
  const web: WebConfig = {
    enabled: true,
    publicUrl: url,
    clientId: 'gateway-web',
    clientSecret: idp.secrets.clients['gateway-web'] ?? '',
    cookieSecure: false,
    idleTimeoutMs: 3_600_000,
    sessionMaxMs: 8 * 3_600_000,
    maxSessions: 10,
    defaultLanguage: 'es',
    defaultTimeZone: 'America/Lima',
    heartbeatMs: 15_000,
  };
  const app = await createGateway({
    cases,
    inbox: buckets.inbox,
    verifier: createTokenVerifier(idp.verifierOptions()),
    logger,
    web: { config: web, issuer: idp.issuer },
  });
  const browser = await launchChromium();
  try {
    await app.listen({ host: '127.0.0.1', port });
    const page = await (await browser.newContext({ locale: 'es-PE' })).newPage();
    await signIn(page, url, idp.issuer, 'judge-9', idp.secrets.devPassword);
    await page.waitForSelector('#live-status:not(:empty)', { timeout: 30_000 });
    const sightings = new Sightings();
    await watchRows(page, sightings);

    const caseId = `B7-${ctx.runTag}-${randomBytes(2).toString('hex').toUpperCase()}`;
    await cases.open(PROSECUTION, benchCase(caseId));
    await cases.command(caseId, 'startInvestigation', PROSECUTION);
    const { locationRef } = await cases.command(caseId, 'addLocation', PROSECUTION, {
      kind: 'home',
      district: 'Cercado',
    });
    const visible: number[] = [];
    const fromSent: number[] = [];
    ctx.log(`B7: ${warmup} warm-up and ${samples} samples, one open inbox in Chromium`);
    for (let i = 0; i < warmup + samples; i++) {
      const sent = now();
      const { warrantRef, taskId } = await cases.command(caseId, 'requestWarrant', PROSECUTION, {
        kind: 'search',
        locationRefs: [locationRef],
      });
      const accepted = now();
      const seen = await sightings.wait(`added/${String(taskId)}`);
      if (i >= warmup) {
        visible.push(seen - accepted);
        fromSent.push(seen - sent);
      }
      await cases.command(caseId, 'approveWarrant', JUDGE, { warrantRef }, { commandId: randomUUID() });
      await sightings.wait(`removed/${String(taskId)}`);
    }
    const d = distribution(visible);
    const e = distribution(fromSent);
    return {
      samples: visible.length,
      visible: d,
      fromSent: e,
      floor: b2.floor,
      ratioP50: round(d.p50 / b2.floor.p50, 3),
      ratioP99: round(d.p99 / b2.floor.p99, 3),
      fromSentRatioP99: round(e.p99 / b2.floor.p99, 3),
    };
  } finally {
    await browser.close().catch(() => undefined);
    await app.close();
    await notifier.stop();
    await idp.stop({ removeData: true });
  }
}

/** Runs B2 then B7 on a stack of their own and prints both. */
async function main(): Promise<void> {
  const settings = loadSettings();
  const t0 = Date.now();
  const log = (m: string) => process.stderr.write(`[b7 +${Math.round((Date.now() - t0) / 1000)}s] ${m}\n`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const logDir = join(REPO_ROOT, 'bench-results', 'logs');
  mkdirSync(logDir, { recursive: true });
  const stack = await startBenchStack();
  const bundles = await buildBundles();
  const config = stack.config();
  const nc = await connectNats(config, { name: 'bench-b7', logger: createLogger({ level: 'warn', name: 'bench-b7' }) });
  await ensureJetStream(config, nc);
  const client = await connectClient(config);
  const ctx: BenchContext = {
    settings,
    stack,
    bundles,
    runTag: randomBytes(3).toString('hex').toUpperCase(),
    logDir,
    config,
    client,
    nc,
    log,
  };
  const caseQueue = `bench-case-${randomUUID()}`;
  const benchQueue = `bench-baseline-${randomUUID()}`;
  const caseWorker = await WorkerProcess.start(
    'orchestrator',
    { kind: 'case', taskQueue: caseQueue, codePath: bundles.casePath, tuning: settings.tuning },
    { logDir },
  );
  const benchWorker = await WorkerProcess.start(
    'baseline',
    { kind: 'bench', taskQueue: benchQueue, codePath: bundles.benchPath, tuning: settings.tuning },
    { logDir },
  );
  try {
    const pair: WorkerPair = { caseQueue, caseWorker, benchQueue, benchWorker };
    const b2 = await runB2(ctx, pair);
    log(`B2 floor p99 ${b2.floor.p99} ms (latency p99 ${b2.latency.p99} ms, ratio ${b2.ratioP99})`);
    const b7 = await runB7(ctx, pair, b2);
    process.stdout.write(
      `B7 live inbox: accepted → visible p50 ${b7.visible.p50} ms, p99 ${b7.visible.p99} ms (n=${b7.samples}); ` +
        `B2 floor p99 ${b7.floor.p99} ms; ratio p99 ${b7.ratioP99} (target <= 2), p50 ${b7.ratioP50}; ` +
        `sent → visible p99 ${b7.fromSent.p99} ms, ratio ${b7.fromSentRatioP99}\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ B2: { floor: b2.floor, latency: b2.latency, ratioP99: b2.ratioP99 }, B7: b7 })}\n`,
    );
  } finally {
    await Promise.all([caseWorker.stop(), benchWorker.stop()]);
    await client.connection.close().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`B7 failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
