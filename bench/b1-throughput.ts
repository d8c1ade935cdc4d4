/**
 * B1 case throughput. A "state transition" here is one history event, counted from the server's own
 * record of every workflow a unit of work wrote, the same way for both sides.
 *
 * Case side: N client loops, each running complete short lifecycles (bench/cases.ts, 14 client calls,
 * case workflow + raid child) back to back. Baseline: N loops each starting a no-op workflow with one
 * activity and awaiting its result, on a worker with the same options. Phases alternate
 * (case, baseline, case, baseline...) so that machine noise falls on both.
 *
 * Each phase starts units for `phaseSeconds` and then lets the started ones finish. The figure counts
 * the history events whose server timestamp falls in the steady window [start + ramp, stop] of the
 * phase, divided by the window's length: units in flight at the window's edges count with the events
 * they wrote inside it, so long lifecycles are not penalised by the drain at the end. Also reported:
 * whole completed units over the time to the last completion, and the server's mutable-state
 * transition counts (describe().raw stateTransitionCount) on the same basis.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { describeCounts, casesClient, type BenchContext, type WorkerPair } from './context';
import { runLifecycle } from './cases';
import { now, pool, processCpuMs, round, sum } from './stats';
import { noopWorkflow } from './workflows';

interface Unit {
  workflowIds: string[];
  calls: number;
}

export interface PhaseResult {
  kind: 'case' | 'baseline';
  /** Steady window: events stamped inside it, and its length. */
  windowSeconds: number;
  windowEvents: number;
  /** WorkflowTaskCompleted events stamped inside the window (the worker's decisions). */
  windowWorkflowTasks: number;
  /** Whole units: all their events and state transitions, over the time to the last completion. */
  seconds: number;
  units: number;
  events: number;
  transitions: number;
  calls: number;
  /** CPU used during the phase (until the last unit completed), in ms: where the time goes. */
  cpuMs: { server: number; worker: number; client: number };
}

/** Steady-state window of a phase starts this long after its first start (ramp-up excluded). */
const RAMP_MS = 2_000;

function eventTimeMs(e: temporal.api.history.v1.IHistoryEvent): number {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;
}

export interface SideSummary {
  /** The figure's basis: events stamped in the steady windows ÷ the windows' length. */
  windowSeconds: number;
  windowEvents: number;
  windowEventsPerSecond: number;
  windowWorkflowTasksPerSecond: number;
  units: number;
  seconds: number;
  events: number;
  transitions: number;
  eventsPerUnit: number;
  eventsPerSecond: number;
  transitionsPerSecond: number;
  unitsPerSecond: number;
  clientCallsPerSecond: number;
  /** CPU ms per unit of work: Temporal dev server, the serving worker process, the driving client. */
  cpuMsPerUnit: { server: number; worker: number; client: number };
  /** Server CPU ms per history event and per server state transition. */
  serverCpuMsPerEvent: number;
  serverCpuMsPerTransition: number;
}

export interface B1Result {
  concurrency: number;
  phaseSeconds: number;
  rounds: number;
  phases: PhaseResult[];
  case: SideSummary;
  baseline: SideSummary;
  /** windowed case events/s ÷ windowed baseline events/s: the figure (target ≥ 0.8). */
  ratio: number;
  /** Other definitions, for comparison: workflow tasks completed in the window; whole-unit events/s;
   * whole-unit server state transitions/s. */
  ratioWorkflowTasks: number;
  ratioWholeUnits: number;
  ratioStateTransitions: number;
  /** Completed workflows for B4's replay (ids only). */
  caseWorkflowIds: string[];
  noopWorkflowIds: string[];
}

export async function runB1(ctx: BenchContext, workers: WorkerPair): Promise<B1Result> {
  const { concurrency, phaseSeconds, rounds, warmupLifecycles } = ctx.settings.b1;
  const cases = casesClient(ctx, workers.caseQueue);
  let serial = 0;
  const caseUnit = async (): Promise<Unit> => {
    const caseId = `B1-${ctx.runTag}-${(serial++).toString().padStart(5, '0')}`;
    const lifecycle = await runLifecycle(cases, caseId);
    return { workflowIds: lifecycle.workflowIds, calls: lifecycle.calls };
  };
  const noopUnit = async (): Promise<Unit> => {
    const workflowId = `bench-noop-${randomUUID()}`;
    await ctx.client.workflow.execute(noopWorkflow, { workflowId, taskQueue: workers.benchQueue });
    return { workflowIds: [workflowId], calls: 1 };
  };

  ctx.log(`B1 warm-up: ${warmupLifecycles} lifecycles and ${warmupLifecycles * 4} no-op workflows`);
  await pool(
    concurrency,
    (i) => i < warmupLifecycles,
    async () => void (await caseUnit()),
  );
  await pool(
    concurrency,
    (i) => i < warmupLifecycles * 4,
    async () => void (await noopUnit()),
  );

  const phases: PhaseResult[] = [];
  const caseWorkflowIds: string[] = [];
  const noopWorkflowIds: string[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['case', 'baseline'] as const) {
      const units: Unit[] = [];
      const started = now();
      const stopAt = started + phaseSeconds * 1000;
      // The window in wall-clock time, to compare with the server's event timestamps (same host).
      const windowFrom = Date.now() + RAMP_MS;
      const windowTo = Date.now() + phaseSeconds * 1000;
      let lastDone = started;
      const worker = kind === 'case' ? workers.caseWorker : workers.benchWorker;
      const cpu = async () => ({
        server: processCpuMs(ctx.stack.temporal.pid),
        worker: (await worker.status()).cpuMs,
        client: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      });
      const cpuBefore = await cpu();
      await pool(
        concurrency,
        () => now() < stopAt,
        async () => {
          units.push(await (kind === 'case' ? caseUnit() : noopUnit()));
          lastDone = now();
        },
      );
      const seconds = (lastDone - started) / 1000;
      const cpuAfter = await cpu();
      // Counted after the phase, so the describe calls do not load the server during it.
      const ids = units.flatMap((u) => u.workflowIds);
      const counts: Array<{ events: number; transitions: number; inWindow: number; tasksInWindow: number }> = [];
      await pool(
        8,
        (i) => i < ids.length,
        async (i) => {
          const id = ids[i] as string;
          const history = await ctx.client.workflow.getHandle(id).fetchHistory();
          const inside = (history.events ?? []).filter((e) => {
            const t = eventTimeMs(e);
            return t >= windowFrom && t < windowTo;
          });
          const tasksInWindow = inside.filter((e) => e.workflowTaskCompletedEventAttributes != null).length;
          counts.push({ ...(await describeCounts(ctx.client, id)), inWindow: inside.length, tasksInWindow });
        },
      );
      const phase: PhaseResult = {
        kind,
        windowSeconds: round((windowTo - windowFrom) / 1000, 2),
        windowEvents: sum(counts.map((c) => c.inWindow)),
        windowWorkflowTasks: sum(counts.map((c) => c.tasksInWindow)),
        seconds: round(seconds, 2),
        units: units.length,
        events: sum(counts.map((c) => c.events)),
        transitions: sum(counts.map((c) => c.transitions)),
        calls: sum(units.map((u) => u.calls)),
        cpuMs: {
          server: round(cpuAfter.server - cpuBefore.server, 0),
          worker: round(cpuAfter.worker - cpuBefore.worker, 0),
          client: round(cpuAfter.client - cpuBefore.client, 0),
        },
      };
      phases.push(phase);
      if (kind === 'case') caseWorkflowIds.push(...units.map((u) => u.workflowIds[0] as string));
      else noopWorkflowIds.push(...ids);
      ctx.log(
        `B1 round ${r + 1} ${kind}: ${phase.units} units in ${phase.seconds}s; ${phase.windowEvents} events in the ` +
          `${phase.windowSeconds}s window (${round(phase.windowEvents / phase.windowSeconds, 1)} events/s)`,
      );
    }
  }
  const summarize = (kind: 'case' | 'baseline'): SideSummary => {
    const ps = phases.filter((p) => p.kind === kind);
    const seconds = sum(ps.map((p) => p.seconds));
    const units = sum(ps.map((p) => p.units));
    const events = sum(ps.map((p) => p.events));
    const transitions = sum(ps.map((p) => p.transitions));
    const windowSeconds = sum(ps.map((p) => p.windowSeconds));
    const windowEvents = sum(ps.map((p) => p.windowEvents));
    return {
      windowSeconds: round(windowSeconds, 2),
      windowEvents,
      windowEventsPerSecond: round(windowEvents / windowSeconds, 1),
      windowWorkflowTasksPerSecond: round(sum(ps.map((p) => p.windowWorkflowTasks)) / windowSeconds, 1),
      units,
      seconds: round(seconds, 2),
      events,
      transitions,
      eventsPerUnit: round(events / units, 1),
      eventsPerSecond: round(events / seconds, 1),
      transitionsPerSecond: round(transitions / seconds, 1),
      unitsPerSecond: round(units / seconds, 2),
      clientCallsPerSecond: round(sum(ps.map((p) => p.calls)) / seconds, 1),
      cpuMsPerUnit: {
        server: round(sum(ps.map((p) => p.cpuMs.server)) / units, 1),
        worker: round(sum(ps.map((p) => p.cpuMs.worker)) / units, 1),
        client: round(sum(ps.map((p) => p.cpuMs.client)) / units, 1),
      },
      serverCpuMsPerEvent: round(sum(ps.map((p) => p.cpuMs.server)) / events, 2),
      serverCpuMsPerTransition: round(sum(ps.map((p) => p.cpuMs.server)) / transitions, 2),
    };
  };
  const c = summarize('case');
  const b = summarize('baseline');
  return {
    concurrency,
    phaseSeconds,
    rounds,
    phases,
    case: c,
    baseline: b,
    ratio: round(c.windowEventsPerSecond / b.windowEventsPerSecond, 3),
    ratioWorkflowTasks: round(c.windowWorkflowTasksPerSecond / b.windowWorkflowTasksPerSecond, 3),
    ratioWholeUnits: round(c.eventsPerSecond / b.eventsPerSecond, 3),
    ratioStateTransitions: round(c.transitionsPerSecond / b.transitionsPerSecond, 3),
    caseWorkflowIds,
    noopWorkflowIds,
  };
}
