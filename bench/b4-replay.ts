/**
 * B4 replay cost per history event. Histories recorded during this run (B1's completed case
 * lifecycles and no-op workflows, fetched from the server with their encrypted payloads) are replayed
 * with Worker.runReplayHistories and the run's data converter, as a worker rebuilding its cache would.
 * Per batch: a short warm-up (the replay worker's start and first workflow) is excluded by timing from
 * the last warm-up result to the last result. Batches alternate case / no-op for `rounds` rounds; the
 * figure is the median case µs/event ÷ the median no-op µs/event (target ≤ 1.5).
 */
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { loadDataConverter } from '../src/temporal/data-converter';
import type { BenchContext } from './context';
import { median, now, pool, round, sum } from './stats';

type History = temporal.api.history.v1.IHistory;

export interface B4Side {
  histories: number;
  eventsPerHistory: number;
  microsPerEvent: number[];
  medianMicrosPerEvent: number;
  medianMillisPerHistory: number;
}

export interface B4Result {
  case: B4Side;
  noop: B4Side;
  /** median case µs/event ÷ median no-op µs/event (target ≤ 1.5). */
  ratio: number;
}

const WARMUP = 3;

async function fetchHistories(
  ctx: BenchContext,
  ids: string[],
): Promise<Array<{ workflowId: string; history: History }>> {
  const out: Array<{ workflowId: string; history: History }> = [];
  await pool(
    8,
    (i) => i < ids.length,
    async (i) => {
      const workflowId = ids[i] as string;
      out.push({ workflowId, history: await ctx.client.workflow.getHandle(workflowId).fetchHistory() });
    },
  );
  return out;
}

async function replayBatch(
  ctx: BenchContext,
  codePath: string,
  histories: Array<{ workflowId: string; history: History }>,
): Promise<{ ms: number; events: number }> {
  const warm = histories.slice(0, WARMUP);
  const measured = histories.slice(WARMUP);
  let tWarm = 0;
  let tLast = 0;
  let n = 0;
  const results = Worker.runReplayHistories(
    { workflowBundle: { codePath }, dataConverter: loadDataConverter(ctx.config), replayName: 'bench-replay' },
    [...warm, ...measured],
  );
  for await (const r of results) {
    if (r.error) throw new Error(`B4: replay of ${r.workflowId} failed: ${r.error.message}`);
    n++;
    if (n === warm.length) tWarm = now();
    tLast = now();
  }
  return { ms: tLast - tWarm, events: sum(measured.map((h) => h.history.events?.length ?? 0)) };
}

export async function runB4(ctx: BenchContext, caseIds: string[], noopIds: string[]): Promise<B4Result> {
  const { rounds, caseHistories, noopHistories } = ctx.settings.b4;
  const caseSet = await fetchHistories(ctx, caseIds.slice(0, caseHistories + WARMUP));
  const noopSet = await fetchHistories(ctx, noopIds.slice(0, noopHistories + WARMUP));
  if (caseSet.length <= WARMUP || noopSet.length <= WARMUP) {
    throw new Error(
      `B4: not enough recorded histories (cases ${caseSet.length}, no-op ${noopSet.length}); run B1 first`,
    );
  }
  const samples = { case: [] as number[], noop: [] as number[] };
  const perHistory = { case: [] as number[], noop: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['case', 'noop'] as const) {
      const set = kind === 'case' ? caseSet : noopSet;
      const { ms, events } = await replayBatch(
        ctx,
        kind === 'case' ? ctx.bundles.casePath : ctx.bundles.benchPath,
        set,
      );
      samples[kind].push(round((ms * 1000) / events, 1));
      perHistory[kind].push(ms / (set.length - WARMUP));
      ctx.log(`B4 round ${r + 1} ${kind}: ${set.length - WARMUP} histories, ${events} events in ${round(ms, 0)} ms`);
    }
  }
  const side = (kind: 'case' | 'noop'): B4Side => {
    const set = kind === 'case' ? caseSet : noopSet;
    const measured = set.slice(WARMUP);
    return {
      histories: measured.length,
      eventsPerHistory: round(sum(measured.map((h) => h.history.events?.length ?? 0)) / measured.length, 1),
      microsPerEvent: samples[kind],
      medianMicrosPerEvent: median(samples[kind]),
      medianMillisPerHistory: round(median(perHistory[kind]), 2),
    };
  };
  const c = side('case');
  const b = side('noop');
  return { case: c, noop: b, ratio: round(c.medianMicrosPerEvent / b.medianMicrosPerEvent, 2) };
}
