/**
 * B5 scale: as many as BENCH_B5_CASES (10,000) cases open at once on one dev server and one worker
 * process (the real orchestrator worker, cache large enough to hold them all unless the memory
 * budget says otherwise). Opened through the case service with a pool of concurrent starts, within a time
 * budget; whatever did not fit is reported as such, never extrapolated.
 *   a case counts as open once its `case-opened` event is in JetStream (the server accepted the start,
 *   the worker ran its first workflow task and the publish activity); starts are paced so that at
 *   most `maxBacklog` cases are started but not yet open, so the rate is what the worker sustains;
 *   start rate   = cases open ÷ time from the first start to the last case open;
 *   query        = caseSnapshot Queries on uniformly random open cases, one at a time: p50/p99/max;
 *   RSS          = worker process RSS after a full GC with every case cached.
 */
import { auditStreamName } from '../src/nats/subjects';
import { randomUUID } from 'node:crypto';
import { freemem } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { caseWorkflowId } from '../src/domain/case-state';
import { caseSnapshotQuery } from '../workflows/messages';
import { casesClient, type BenchContext } from './context';
import { benchCase, PROSECUTION } from './cases';
import { distribution, MiB, now, pool, processCpuMs, round, sleep, type Distribution } from './stats';
import { WorkerProcess } from './worker-process';

export interface B5Result {
  target: number;
  /** Start calls the server accepted. */
  started: number;
  /** Cases open and processed by the worker (case-opened published): the count that matters. */
  opened: number;
  reachedTarget: boolean;
  budgetSeconds: number;
  /** From the first start until the last case was open. */
  openSeconds: number;
  /** opened ÷ openSeconds: cases opened per second, sustained by server and worker together. */
  startRate: number;
  /** Client-side latency of the start call (server accepted the new workflow). */
  startCallLatency: Distribution;
  /** CPU ms per case opened: Temporal dev server and worker process. */
  cpuMsPerCase: { server: number; worker: number };
  memoryBudgetMiB: number;
  cacheSize: number;
  cachedAtEnd: number;
  query: Distribution;
  queryErrors: number;
  rssMiB: number;
  heapMiB: number;
  workflowHeapMiB: number;
  /** Worker RSS ÷ cached cases (base RSS included). */
  rssPerCachedCaseMiB: number;
}

const OPENED_SUBJECT = 'cases.AUDIT.case-opened';

async function openedEvents(ctx: BenchContext): Promise<number> {
  const jsm = await jetstreamManager(ctx.nc);
  // AUDIT copies live in their own sealed stream.
  const info = await jsm.streams.info(auditStreamName(ctx.config.NATS_STREAM), { subjects_filter: OPENED_SUBJECT });
  return info.state.subjects?.[OPENED_SUBJECT] ?? 0;
}

export async function runB5(ctx: BenchContext, b3PerCaseMiB: number | undefined): Promise<B5Result> {
  const { cases: target, budgetSeconds, startConcurrency, queries, maxBacklog } = ctx.settings.b5;
  // Hold every case in the cache unless B3's per-case figure says that would not fit in the memory
  // budget: the setting, and never more than half of what the machine has free right now.
  const memoryBudgetMiB = Math.min(ctx.settings.b5.memoryBudgetMiB, Math.floor(freemem() / MiB / 2));
  const cacheSize =
    b3PerCaseMiB && b3PerCaseMiB > 0
      ? Math.min(target, Math.max(100, Math.floor(memoryBudgetMiB / b3PerCaseMiB)))
      : target;
  ctx.log(`B5: worker cache ${cacheSize} (memory budget ${memoryBudgetMiB} MiB, B3 ${b3PerCaseMiB ?? '?'} MiB/case)`);
  const taskQueue = `bench-b5-${randomUUID()}`;
  const worker = await WorkerProcess.start(
    'b5-case',
    {
      kind: 'case',
      taskQueue,
      codePath: ctx.bundles.casePath,
      tuning: { ...ctx.settings.tuning, maxCachedWorkflows: cacheSize + 10 },
    },
    { logDir: ctx.logDir, maxOldSpaceMiB: memoryBudgetMiB + 2048 },
  );
  try {
    const cases = casesClient(ctx, taskQueue);
    const baseline = await openedEvents(ctx);
    const ids: string[] = [];
    const startLatency: number[] = [];
    // The settled count, polled in the background: how far the worker has got.
    let settled = 0;
    let lastSettleChange = now();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const n = (await openedEvents(ctx)) - baseline;
        if (n !== settled) lastSettleChange = now();
        settled = n;
        await sleep(250);
      }
    })();
    const cpuBefore = { server: processCpuMs(ctx.stack.temporal.pid), worker: (await worker.status()).cpuMs };
    const started = now();
    const stopAt = started + budgetSeconds * 1000;
    let progressAt = started + 15_000;
    try {
      await pool(
        startConcurrency,
        (i) => i < target && now() < stopAt,
        async (i) => {
          // Keep at most `maxBacklog` cases started but not yet settled: the rate is then the worker's
          // sustained one, and a budget stop leaves no long tail of unprocessed cases.
          while (ids.length - settled >= maxBacklog && now() < stopAt) await sleep(50);
          if (now() >= stopAt) return;
          const caseId = `B5-${ctx.runTag}-${i.toString().padStart(5, '0')}`;
          const t0 = now();
          await cases.open(PROSECUTION, benchCase(caseId));
          startLatency.push(now() - t0);
          ids.push(caseId);
          if (now() > progressAt) {
            progressAt = now() + 15_000;
            ctx.log(`B5: ${ids.length} cases opened, ${settled} settled, after ${round((now() - started) / 1000, 0)}s`);
          }
        },
      );
      ctx.log(
        `B5: ${ids.length}/${target} started in ${round((now() - started) / 1000, 1)}s; waiting for the worker to settle`,
      );
      const settleDeadline = now() + 120_000;
      while (settled < ids.length && now() < settleDeadline) await sleep(250);
    } finally {
      polling = false;
      await poller;
    }
    const openSeconds = (lastSettleChange - started) / 1000;
    const status = await worker.settle({ minCached: 0, timeoutMs: 120_000 });
    const cpuMsPerCase = {
      server: round((processCpuMs(ctx.stack.temporal.pid) - cpuBefore.server) / Math.max(1, settled), 1),
      worker: round((status.cpuMs - cpuBefore.worker) / Math.max(1, settled), 1),
    };
    ctx.log(`B5: ${settled} open after ${round(openSeconds, 1)}s, ${status.numCachedWorkflows} cached; querying`);

    const latencies: number[] = [];
    let queryErrors = 0;
    for (let q = 0; q < queries && ids.length > 0; q++) {
      const caseId = ids[Math.floor(Math.random() * ids.length)] as string;
      const t0 = now();
      try {
        await cases.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseSnapshotQuery);
        latencies.push(now() - t0);
      } catch {
        queryErrors++;
      }
    }
    const mem = await worker.settledRss();
    return {
      target,
      started: ids.length,
      opened: settled,
      reachedTarget: settled >= target,
      budgetSeconds,
      openSeconds: round(openSeconds, 1),
      startRate: round(settled / openSeconds, 1),
      startCallLatency: distribution(startLatency),
      cpuMsPerCase,
      memoryBudgetMiB,
      cacheSize,
      cachedAtEnd: mem.numCachedWorkflows,
      query: distribution(latencies),
      queryErrors,
      rssMiB: round(mem.rss / MiB, 1),
      heapMiB: round(mem.heapUsed / MiB, 1),
      workflowHeapMiB: round(mem.workflowHeapUsed / MiB, 1),
      rssPerCachedCaseMiB: round(mem.rss / MiB / Math.max(1, mem.numCachedWorkflows), 3),
    };
  } finally {
    await worker.stop();
  }
}
