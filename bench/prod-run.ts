/**
 * The production-topology phase of `npm run bench`: B1 (throughput) and B5 (scale) again, on the topology of
 * `npm run stack:prod-local` (Temporal server on PostgreSQL with mTLS, three NATS nodes at 3 replicas; see
 * bench/prod-stack.ts), with the same worker processes, bundles, settings and codec key as the dev-server phase of
 * the same run, and reported beside it: each figure with the dev server's as its baseline and the ratio
 * production ÷ dev. It runs after the dev phase, within its own budget (BENCH_PROD_TOTAL_SECONDS); BENCH_PROD=0
 * skips it.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../src/logging';
import { connectNats } from '../src/nats/connection';
import { ensureJetStream } from '../src/nats/stream';
import { connectClient } from '../src/temporal/connection';
import { runB1, type B1Result } from './b1-throughput';
import { runB5, type B5Result } from './b5-scale';
import type { Bundles } from './bundles';
import type { BenchContext, WorkerPair } from './context';
import { startProdBenchStack } from './prod-stack';
import type { Results, Row } from './report';
import type { Settings } from './settings';
import { round } from './stats';
import { WorkerProcess } from './worker-process';

export interface ProdSettings {
  enabled: boolean;
  /** The phase should end within this (B5 gets what is left of it). */
  totalBudgetSeconds: number;
  /** B5's opening budget at most; by default the dev phase's B5 budget, so both phases open cases for as long. */
  b5BudgetSeconds?: number;
  only: ReadonlySet<string>;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: must be a positive number, got ${raw}`);
  return n;
}

export function loadProdSettings(settings: Settings): ProdSettings {
  const b5 = process.env.BENCH_PROD_B5_BUDGET_SECONDS;
  return {
    enabled: process.env.BENCH_PROD !== '0',
    totalBudgetSeconds: seconds('BENCH_PROD_TOTAL_SECONDS', settings.quick ? 240 : 600),
    ...(b5 ? { b5BudgetSeconds: seconds('BENCH_PROD_B5_BUDGET_SECONDS', 0) } : {}),
    only: new Set([...settings.only].filter((b) => b === 'B1' || b === 'B5')),
  };
}

export interface ProdResults {
  /** Releases and shape of the topology measured. */
  topology: string;
  startSeconds: number;
  durationSeconds: number;
  B1?: B1Result | { error: string };
  B5?: B5Result | { error: string };
}

interface DevPhase {
  settings: Settings;
  bundles: Bundles;
  runTag: string;
  logDir: string;
  log(message: string): void;
  /** B3's per-case RSS from the dev phase, which sizes B5's worker cache as there. */
  b3PerCaseMiB: number | undefined;
}

export async function runProdPhase(dev: DevPhase, prod: ProdSettings): Promise<ProdResults> {
  const t0 = Date.now();
  const { log } = dev;
  log('production topology: starting scripts/prod-local.sh (Temporal server on PostgreSQL, mTLS, 3 NATS nodes)');
  const stack = await startProdBenchStack();
  const startSeconds = round((Date.now() - t0) / 1000, 1);
  const results: ProdResults = {
    topology:
      'scripts/prod-local.sh: Temporal server 1.29.1 on PostgreSQL (4 history shards, mTLS), ' +
      'NATS 2.12.1 x3 (R3), bench worker processes',
    startSeconds,
    durationSeconds: 0,
  };
  // The driver is the admin: its certificate for Temporal, its NATS identity for reading the streams.
  const config = stack.adminConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'bench-prod' });
  const nc = await connectNats(config, { name: 'bench-prod', logger });
  const client = await connectClient(config);
  try {
    await ensureJetStream(config, nc);
    const settings: Settings = { ...dev.settings, b5: { ...dev.settings.b5 } };
    const ctx: BenchContext = { ...dev, settings, stack, config, client, nc, runTag: `${dev.runTag}P` };
    log(
      `production topology up in ${startSeconds}s (Temporal ${config.TEMPORAL_ADDRESS}, NATS ${config.NATS_URL.join(',')})`,
    );
    if (prod.only.has('B1')) results.B1 = await attempt(log, 'prod B1', () => prodB1(ctx));
    if (prod.only.has('B5')) {
      // The dev phase's B5 budget as it ran (run.ts may have cut it to fit), unless set.
      const wanted = prod.b5BudgetSeconds ?? dev.settings.b5.budgetSeconds;
      const left = Math.floor(prod.totalBudgetSeconds - (Date.now() - t0) / 1000 - 75);
      settings.b5.budgetSeconds = Math.max(60, Math.min(wanted, left));
      if (settings.b5.budgetSeconds < wanted)
        log(`prod B5: time budget cut to ${settings.b5.budgetSeconds}s to end the phase in time`);
      results.B5 = await attempt(log, 'prod B5', () => runB5(ctx, dev.b3PerCaseMiB));
    }
  } finally {
    await client.connection.close().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await stack.stop();
  }
  results.durationSeconds = round((Date.now() - t0) / 1000, 0);
  return results;
}

async function attempt<T>(
  log: (m: string) => void,
  name: string,
  run: () => Promise<T>,
): Promise<T | { error: string }> {
  try {
    return await run();
  } catch (err) {
    log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** B1 as in the dev phase (bench/run.ts): the orchestrator worker and the baseline worker, same options. */
async function prodB1(ctx: BenchContext): Promise<B1Result> {
  const caseQueue = `bench-case-${randomUUID()}`;
  const benchQueue = `bench-baseline-${randomUUID()}`;
  const { tuning } = ctx.settings;
  const caseWorker = await WorkerProcess.start(
    'prod-orchestrator',
    { kind: 'case', taskQueue: caseQueue, codePath: ctx.bundles.casePath, tuning },
    { logDir: ctx.logDir },
  );
  const benchWorker = await WorkerProcess.start(
    'prod-baseline',
    { kind: 'bench', taskQueue: benchQueue, codePath: ctx.bundles.benchPath, tuning },
    { logDir: ctx.logDir },
  ).catch(async (err: unknown) => {
    await caseWorker.stop();
    throw err;
  });
  const pair: WorkerPair = { caseQueue, caseWorker, benchQueue, benchWorker };
  try {
    return await runB1(ctx, pair);
  } finally {
    await Promise.all([caseWorker.stop(), benchWorker.stop()]);
  }
}

/** Without the workflow id lists B1 keeps for B4 (not results). */
export function stripProdIds(prod: ProdResults): ProdResults {
  if (!prod.B1 || 'error' in prod.B1) return prod;
  const { caseWorkflowIds: _c, noopWorkflowIds: _n, ...b1 } = prod.B1;
  return { ...prod, B1: b1 as B1Result };
}

const ok = <T extends object>(r: T | { error: string } | undefined): r is T => r !== undefined && !('error' in r);
const f = (x: number | undefined, digits = 2) =>
  x !== undefined && Number.isFinite(x) ? String(round(x, digits)) : 'n/a';
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? f(a / b) : '');

/** The production figures, each beside the dev server's of the same run (baseline column), ratio prod ÷ dev. */
export function prodRows(prod: ProdResults | undefined, dev: Results): Row[] {
  if (!prod) return [];
  const out: Row[] = [];
  const row = (
    figure: string,
    measured: string,
    baseline: string,
    r: string,
    target = '(report)',
    result: Row['result'] = 'info',
  ) => out.push({ figure, measured, baseline, ratio: r, target, result });
  const devB1 = ok(dev.B1) ? dev.B1 : undefined;
  const devB5 = ok(dev.B5) ? dev.B5 : undefined;
  if (prod.B1 && !ok(prod.B1)) row('B1 PROD topology', prod.B1.error.split('\n')[0]!.slice(0, 60), '', '', '', 'error');
  else if (prod.B1) {
    const p = prod.B1;
    row(
      'B1 PROD case history events/s (vs dev)',
      f(p.case.windowEventsPerSecond, 1),
      f(devB1?.case.windowEventsPerSecond, 1),
      ratio(p.case.windowEventsPerSecond, devB1?.case.windowEventsPerSecond),
    );
    row(
      'B1 PROD no-op baseline events/s (vs dev)',
      f(p.baseline.windowEventsPerSecond, 1),
      f(devB1?.baseline.windowEventsPerSecond, 1),
      ratio(p.baseline.windowEventsPerSecond, devB1?.baseline.windowEventsPerSecond),
    );
    row(
      'B1 PROD case / baseline (vs dev)',
      f(p.ratio),
      f(devB1?.ratio),
      ratio(p.ratio, devB1?.ratio),
      '>= 0.8',
      p.ratio >= 0.8 ? 'pass' : 'short',
    );
    row(
      'B1 PROD server CPU ms per lifecycle',
      f(p.case.cpuMsPerUnit.server, 0),
      f(devB1?.case.cpuMsPerUnit.server, 0),
      ratio(p.case.cpuMsPerUnit.server, devB1?.case.cpuMsPerUnit.server),
    );
  }
  if (prod.B5 && !ok(prod.B5)) row('B5 PROD topology', prod.B5.error.split('\n')[0]!.slice(0, 60), '', '', '', 'error');
  else if (prod.B5) {
    const p = prod.B5;
    row(
      `B5 PROD cases open (${p.budgetSeconds}s budget)`,
      String(p.opened),
      String(devB5?.opened ?? ''),
      ratio(p.opened, devB5?.opened),
      String(p.target),
      p.reachedTarget ? 'pass' : 'partial',
    );
    row(
      'B5 PROD start rate (cases/s)',
      f(p.startRate, 1),
      f(devB5?.startRate, 1),
      ratio(p.startRate, devB5?.startRate),
    );
    row('B5 PROD query p99 (ms)', f(p.query.p99, 1), f(devB5?.query.p99, 1), ratio(p.query.p99, devB5?.query.p99));
    row(
      'B5 PROD server CPU ms per case',
      f(p.cpuMsPerCase.server, 1),
      f(devB5?.cpuMsPerCase.server, 1),
      ratio(p.cpuMsPerCase.server, devB5?.cpuMsPerCase.server),
    );
  }
  return out;
}
