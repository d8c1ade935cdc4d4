/**
 * B3 worker memory per open case. Each side gets a fresh worker process (worker-child.ts, --expose-gc)
 * with maxCachedWorkflows above what it will hold, so every workflow stays cached:
 *   1. warm up with a few workflows (JIT, pollers, buffers), settle, full GC → RSS before;
 *   2. open N more and wait until all are cached and nothing is in flight, full GC → RSS after;
 *   per workflow = (after − before) ÷ N.
 * Case side: N open cases under investigation (open, startInvestigation, one suspect, one location:
 * four commands, events published). Baseline: N waitingWorkflows (`await condition(() => false)`).
 */
import { randomUUID } from 'node:crypto';
import { casesClient, type BenchContext } from './context';
import { openInvestigatingCase } from './cases';
import { MiB, pool, round } from './stats';
import { WorkerProcess } from './worker-process';
import { waitingWorkflow } from './workflows';

export interface B3Side {
  workflows: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  workflowHeapBeforeMiB: number;
  workflowHeapAfterMiB: number;
  perWorkflowMiB: number;
  /** Of which: main-thread V8 heap, and the workflow thread's V8 heap (the workflow objects). */
  perWorkflowHeapKiB: number;
  perWorkflowWorkflowHeapKiB: number;
  /** Worker CPU time spent opening them (ms per workflow). */
  cpuMsPerWorkflow: number;
  cached: number;
}

export interface B3Result {
  cases: B3Side;
  waiting: B3Side;
  /** per-case ÷ per-waiting-workflow RSS (target ≤ 2). */
  ratio: number;
  /** per-case RSS in MiB (target ≤ 0.5). */
  perCaseMiB: number;
}

export async function runB3(ctx: BenchContext): Promise<B3Result> {
  const { cases: n, warmup, startConcurrency } = ctx.settings.b3;
  const side = async (kind: 'case' | 'waiting'): Promise<B3Side> => {
    const taskQueue = `bench-b3-${kind}-${randomUUID()}`;
    const tuning = { ...ctx.settings.tuning, maxCachedWorkflows: n + warmup + 100 };
    const worker = await WorkerProcess.start(
      `b3-${kind}`,
      {
        kind: kind === 'case' ? 'case' : 'bench',
        taskQueue,
        tuning,
        codePath: kind === 'case' ? ctx.bundles.casePath : ctx.bundles.benchPath,
      },
      { logDir: ctx.logDir },
    );
    try {
      const cases = casesClient(ctx, taskQueue);
      let serial = 0;
      const openOne = async () => {
        const i = serial++;
        if (kind === 'case') await openInvestigatingCase(cases, `B3-${ctx.runTag}-${i.toString().padStart(5, '0')}`);
        else await ctx.client.workflow.start(waitingWorkflow, { workflowId: `bench-wait-${randomUUID()}`, taskQueue });
      };
      await pool(startConcurrency, (i) => i < warmup, openOne);
      await worker.settle({ minCached: warmup, timeoutMs: 120_000 });
      const before = await worker.settledRss();
      ctx.log(
        `B3 ${kind}: RSS ${round(before.rss / MiB, 1)} MiB with ${before.numCachedWorkflows} cached; opening ${n} more`,
      );
      await pool(startConcurrency, (i) => i < n, openOne);
      await worker.settle({ minCached: warmup + n, timeoutMs: 300_000 });
      const after = await worker.settledRss();
      ctx.log(`B3 ${kind}: RSS ${round(after.rss / MiB, 1)} MiB with ${after.numCachedWorkflows} cached`);
      return {
        workflows: n,
        rssBeforeMiB: round(before.rss / MiB, 1),
        rssAfterMiB: round(after.rss / MiB, 1),
        heapBeforeMiB: round(before.heapUsed / MiB, 1),
        heapAfterMiB: round(after.heapUsed / MiB, 1),
        workflowHeapBeforeMiB: round(before.workflowHeapUsed / MiB, 1),
        workflowHeapAfterMiB: round(after.workflowHeapUsed / MiB, 1),
        perWorkflowMiB: round((after.rss - before.rss) / n / MiB, 4),
        perWorkflowHeapKiB: round((after.heapUsed - before.heapUsed) / n / 1024, 1),
        perWorkflowWorkflowHeapKiB: round((after.workflowHeapUsed - before.workflowHeapUsed) / n / 1024, 1),
        cpuMsPerWorkflow: round((after.cpuMs - before.cpuMs) / n, 2),
        cached: after.numCachedWorkflows,
      };
    } finally {
      await worker.stop();
    }
  };
  const cases = await side('case');
  const waiting = await side('waiting');
  return {
    cases,
    waiting,
    ratio: round(cases.perWorkflowMiB / waiting.perWorkflowMiB, 2),
    perCaseMiB: cases.perWorkflowMiB,
  };
}
