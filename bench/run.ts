/**
 * `npm run bench`: starts its own dev stack (Temporal dev server + nats-server on free ports, a random
 * codec key), runs B1–B5, prints the table and writes bench-results/latest.json (and a dated copy).
 * See docs/benchmarks.md for what each figure measures. Sizes: bench/settings.ts (BENCH_QUICK=1 for a
 * smoke run, BENCH_ONLY=B1,B4 for a subset).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectNats } from '../src/nats/connection';
import { ensureJetStream } from '../src/nats/stream';
import { connectClient } from '../src/temporal/connection';
import { createLogger } from '../src/logging';
import { runB1, type B1Result } from './b1-throughput';
import { runB2 } from './b2-latency';
import { runB3 } from './b3-memory';
import { runB4 } from './b4-replay';
import { runB5 } from './b5-scale';
import { runB6 } from './b6-gateway';
import { runB7 } from './b7-inbox';
import { buildBundles } from './bundles';
import type { BenchContext, WorkerPair } from './context';
import { loadProdSettings, prodRows, runProdPhase, stripProdIds, type ProdResults } from './prod-run';
import { formatTable, machine, rows, type Results } from './report';
import { loadSettings } from './settings';
import { REPO_ROOT, startBenchStack } from './stack';
import { round } from './stats';
import { WorkerProcess } from './worker-process';

const t0 = Date.now();
const log = (message: string) => process.stderr.write(`[bench +${Math.round((Date.now() - t0) / 1000)}s] ${message}\n`);

async function attempt<T>(
  name: string,
  results: Results,
  key: keyof Results,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    const value = await run();
    (results as Record<string, unknown>)[key] = value;
    return value;
  } catch (err) {
    log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    (results as Record<string, unknown>)[key] = { error: err instanceof Error ? err.message : String(err) };
    return undefined;
  }
}

async function main(): Promise<number> {
  const settings = loadSettings();
  const startedAt = new Date();
  const git = gitState(); // what is measured is the tree at the start (others may commit meanwhile)
  const outDir = join(REPO_ROOT, 'bench-results');
  const logDir = join(outDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('WARN') });

  log(`starting the dev stack (Temporal dev server, nats-server)${settings.quick ? ' [BENCH_QUICK]' : ''}`);
  const stack = await startBenchStack();
  const machineBefore = machine(); // after the stack put the Temporal CLI on PATH
  log(`Temporal ${stack.temporal.address}, NATS ${stack.nats.url}; bundling workflows`);
  const results: Results = {};
  const bundles = await buildBundles();
  const config = stack.config();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'bench' });
  const nc = await connectNats(config, { name: 'bench', logger });
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

  try {
    const run = (b: string) => settings.only.has(b);
    let b1: B1Result | undefined;
    if (run('B1') || run('B2') || run('B4') || run('B6') || run('B7')) {
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
      ).catch(async (err: unknown) => {
        await caseWorker.stop();
        throw err;
      });
      const pair: WorkerPair = { caseQueue, caseWorker, benchQueue, benchWorker };
      try {
        // B2 first: the agency consumer has no backlog yet.
        if (run('B2')) await attempt('B2', results, 'B2', () => runB2(ctx, pair));
        if (run('B6')) await attempt('B6', results, 'B6', () => runB6(ctx, pair));
        // B7's figure is relative to B2's floor of the same run.
        const b2 = results.B2;
        if (run('B7') && b2 && !('error' in b2)) await attempt('B7', results, 'B7', () => runB7(ctx, pair, b2));
        if (run('B1') || run('B4')) b1 = await attempt('B1', results, 'B1', () => runB1(ctx, pair));
      } finally {
        await Promise.all([pair.caseWorker.stop(), pair.benchWorker.stop()]);
      }
      if (!run('B1')) delete results.B1;
      const recorded = b1;
      if (run('B4') && recorded) {
        await attempt('B4', results, 'B4', () => runB4(ctx, recorded.caseWorkflowIds, recorded.noopWorkflowIds));
      }
    }
    if (run('B3')) await attempt('B3', results, 'B3', () => runB3(ctx));
    if (run('B5')) {
      const b3 = results.B3 && !('error' in results.B3) ? results.B3.perCaseMiB : undefined;
      // B5 gets what is left of the run's time budget (keeping ~75 s to settle, query and stop).
      const left = Math.floor(settings.totalBudgetSeconds - (Date.now() - t0) / 1000 - 75);
      const budgetSeconds = Math.max(60, Math.min(settings.b5.budgetSeconds, left));
      if (budgetSeconds < settings.b5.budgetSeconds)
        log(`B5: time budget cut to ${budgetSeconds}s to end the run in time`);
      settings.b5.budgetSeconds = budgetSeconds;
      await attempt('B5', results, 'B5', () => runB5(ctx, b3));
    }
  } finally {
    await client.connection.close().catch(() => undefined);
    await nc.close().catch(() => undefined);
    await stack.stop();
  }

  // B1 and B5 again on the production topology (bench/prod-run.ts), after the dev stack is gone.
  const prodSettings = loadProdSettings(settings);
  let prod: ProdResults | undefined;
  if (prodSettings.enabled && prodSettings.only.size > 0) {
    const b3PerCaseMiB = results.B3 && !('error' in results.B3) ? results.B3.perCaseMiB : undefined;
    prod = await runProdPhase({ ...ctx, b3PerCaseMiB }, prodSettings).catch((err: unknown) => {
      log(`production topology: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return { topology: 'scripts/prod-local.sh', startSeconds: 0, durationSeconds: 0, B1: { error: String(err) } };
    });
  }

  const table = [...rows(results), ...prodRows(prod, results)];
  const durationSeconds = round((Date.now() - t0) / 1000, 0);
  process.stdout.write(`\n${formatTable(table)}\n\n`);
  const m = { ...machineBefore, loadAverageAtEnd: machine().loadAverage };
  process.stdout.write(
    `machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB; load ${m.loadAverage.join(' ')} -> ${m.loadAverageAtEnd.join(' ')}; ` +
      `${m.temporal}; ${m.natsServer}; node ${m.node}; commit ${git.commit}` +
      `${git.modified.length ? ` + ${git.modified.length} modified files` : ''}; ${durationSeconds}s\n`,
  );
  const B5 = results.B5;
  if (B5 && !('error' in B5) && !B5.reachedTarget) {
    process.stdout.write(
      `B5: only ${B5.opened} of ${B5.target} cases could be opened within the ${B5.budgetSeconds}s budget ` +
        `(${B5.startRate} cases/s); the 10,000-case figure was NOT measured.\n`,
    );
  }
  const record = {
    date: startedAt.toISOString(),
    git,
    durationSeconds,
    machine: m,
    settings: { ...settings, only: [...settings.only] },
    table,
    results: stripIds(results),
    ...(prod ? { prod: stripProdIds(prod) } : {}),
  };
  const json = `${JSON.stringify(record, null, 2)}\n`;
  // A smoke run's figures mean nothing: it never replaces latest.json.
  const latest = join(outDir, settings.quick ? 'quick.json' : 'latest.json');
  writeFileSync(latest, json);
  writeFileSync(
    join(outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}${settings.quick ? '-quick' : ''}.json`),
    json,
  );
  process.stdout.write(`results: ${latest}\n`);
  return table.some((r) => r.result === 'error') ? 1 : 0;
}

/** The commit measured, and the files that differed from it (the working tree is what ran). */
function gitState(): { commit: string; modified: string[] } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    const modified = status
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    return { commit: git('rev-parse', '--short', 'HEAD'), modified };
  } catch {
    return { commit: 'unknown', modified: [] };
  }
}

/** The workflow id lists B1 keeps for B4 are not results. */
function stripIds(results: Results): Results {
  if (!results.B1 || 'error' in results.B1) return results;
  const { caseWorkflowIds: _c, noopWorkflowIds: _n, ...b1 } = results.B1;
  return { ...results, B1: b1 as B1Result };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
