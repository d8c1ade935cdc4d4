/**
 * A worker in a process of its own, so that its RSS is the worker's alone (B3, B5) and its CPU is not
 * shared with the benchmark driver (B1, B2). Forked by worker-process.ts with `--expose-gc`; argv[2] is
 * a JSON WorkerChildSpec. Speaks over IPC: 'status' answers the worker's cache/in-flight counters and
 * memory (after a full GC when asked), 'stop' shuts the worker down and exits.
 *
 *   kind 'case':  the real orchestrator worker (createOrchestratorWorker, workflows/ + activities/)
 *   kind 'bench': the baseline workflows of bench/workflows.ts with a no-op activity
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { connectNats } from '../src/nats/connection';
import { connectionOptions } from '../src/temporal/connection';
import { loadDataConverter } from '../src/temporal/data-converter';
import { createOrchestratorWorker, type OrchestratorWorkerOptions } from '../src/temporal/worker';
import { GC_CHANNEL, type ThreadHeap } from './gc-preload';
import type { BenchActivities } from './workflows';

export type WorkerTuning = NonNullable<OrchestratorWorkerOptions['tuning']>;

export interface WorkerChildSpec {
  kind: 'case' | 'bench';
  taskQueue: string;
  /** A workflow bundle written to disk by the parent (bundled once per run). */
  codePath: string;
  tuning: WorkerTuning;
}

export interface ChildStatus {
  rss: number;
  /** Main-thread V8 heap (activities, Core bridge, clients). */
  heapUsed: number;
  /** V8 heap of the workflow thread(s), where the cached workflows live. */
  workflowHeapUsed: number;
  /** CPU time of the process so far (user + system), in ms. */
  cpuMs: number;
  external: number;
  arrayBuffers: number;
  numCachedWorkflows: number;
  numInFlightWorkflowActivations: number;
  numInFlightActivities: number;
  runState: string;
}

export type ParentMessage = { id: number; type: 'status'; gc?: boolean } | { id: number; type: 'stop' };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'fatal'; error: string }
  | { id: number; type: 'status'; status: ChildStatus }
  | { id: number; type: 'stopped' };

const send = (message: ChildMessage) => process.send?.(message);

/** Asks the workflow thread(s) for a full GC (gc-preload.ts) and their heap usage. */
function workflowThreadHeaps(gc: boolean): Promise<number> {
  const channel = new BroadcastChannel(GC_CHANNEL);
  const requestId = Math.random();
  const heaps = new Map<number, number>();
  return new Promise((resolve) => {
    // A full GC of a heap holding thousands of workflows takes seconds.
    let timer = setTimeout(done, gc ? 120_000 : 5_000);
    function done() {
      clearTimeout(timer);
      channel.close();
      resolve([...heaps.values()].reduce((a, b) => a + b, 0));
    }
    channel.onmessage = (event: MessageEvent) => {
      const m = event.data as ThreadHeap;
      if (m.requestId !== requestId) return;
      heaps.set(m.threadId, m.heapUsed);
      // Every thread answers at once; a short grace collects the others (one thread by default).
      clearTimeout(timer);
      timer = setTimeout(done, 100);
    };
    channel.postMessage({ requestId, gc });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerChildSpec;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig({ ...process.env, TEMPORAL_TASK_QUEUE: spec.taskQueue });
  const workflowBundle: WorkerOptions['workflowBundle'] = { codePath: spec.codePath };
  let worker: Worker;
  const closers: Array<() => Promise<void>> = [];
  if (spec.kind === 'case') {
    const logger = createLogger({ level: config.LOG_LEVEL, name: 'bench-orchestrator' });
    const nc = await connectNats(config, { name: 'bench-orchestrator', logger });
    const created = await createOrchestratorWorker({ config, logger, nc, workflowBundle, tuning: spec.tuning });
    worker = created.worker;
    closers.push(
      () => created.connection.close(),
      () => nc.close(),
    );
  } else {
    const connection = await NativeConnection.connect(connectionOptions(config));
    const activities: BenchActivities = { noopActivity: async () => undefined };
    worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter: loadDataConverter(config),
      workflowBundle,
      activities,
      ...spec.tuning,
    });
    closers.push(() => connection.close());
  }

  const running = worker.run();
  running.catch((err: unknown) => {
    send({ type: 'fatal', error: String(err) });
    process.exit(1);
  });

  process.on('message', (message: ParentMessage) => {
    void (async () => {
      if (message.type === 'status') {
        const gc = Boolean(message.gc && global.gc);
        if (gc) {
          // Two passes with a pause: finalizers and weak refs of the first pass are collected by the second.
          global.gc?.();
          await new Promise((r) => setTimeout(r, 200));
          global.gc?.();
        }
        const workflowHeapUsed = await workflowThreadHeaps(gc);
        const m = process.memoryUsage();
        const cpu = process.cpuUsage();
        const s = worker.getStatus();
        send({
          id: message.id,
          type: 'status',
          status: {
            rss: m.rss,
            heapUsed: m.heapUsed,
            workflowHeapUsed,
            cpuMs: (cpu.user + cpu.system) / 1000,
            external: m.external,
            arrayBuffers: m.arrayBuffers,
            numCachedWorkflows: s.numCachedWorkflows,
            numInFlightWorkflowActivations: s.numInFlightWorkflowActivations,
            numInFlightActivities: s.numInFlightActivities,
            runState: s.runState,
          },
        });
      } else if (message.type === 'stop') {
        worker.shutdown();
        await running.catch(() => undefined);
        for (const close of closers) await close().catch(() => undefined);
        send({ id: message.id, type: 'stopped' });
        process.exit(0);
      }
    })();
  });
  // The parent's death must not leave a worker behind.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  send({ type: 'fatal', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
