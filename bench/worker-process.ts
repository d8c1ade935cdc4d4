/** Parent side of worker-child.ts: fork a worker process, ask it for status/memory, stop it. */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './stats';
import { onExit } from './stack';
import type { ChildMessage, ChildStatus, WorkerChildSpec } from './worker-child';

const live = new Set<ChildProcess>();
onExit(() => {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
});

export class WorkerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (m: ChildMessage) => void>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: ChildMessage) => {
      if ('id' in m) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Forks the worker and waits until it polls. Its output goes to `<logDir>/worker-<name>.log`. */
  static async start(
    name: string,
    spec: WorkerChildSpec,
    opts: { logDir: string; maxOldSpaceMiB?: number; env?: Record<string, string> },
  ): Promise<WorkerProcess> {
    mkdirSync(opts.logDir, { recursive: true });
    const fd = openSync(join(opts.logDir, `worker-${name}.log`), 'a');
    // gc-preload lets a status request collect the workflow thread's heap too.
    const execArgv = [
      '--expose-gc',
      '--require',
      require.resolve('./gc-preload'),
      ...(opts.maxOldSpaceMiB ? [`--max-old-space-size=${opts.maxOldSpaceMiB}`] : []),
    ];
    // Resolve the compiled sibling (dist/bench/worker-child.js) or, under ts tooling, the .ts file.
    const child = fork(require.resolve('./worker-child'), [JSON.stringify(spec)], {
      execArgv: [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), ...execArgv],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    closeSync(fd);
    live.add(child);
    child.once('exit', () => live.delete(child));
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: ChildMessage) => {
        if (m.type === 'ready') done(resolve);
        else if (m.type === 'fatal') done(() => reject(new Error(`worker ${name} failed to start: ${m.error}`)));
      };
      const onExitEarly = (code: number | null) =>
        done(() =>
          reject(new Error(`worker ${name} exited with ${code} before it was ready (see its log in ${opts.logDir})`)),
        );
      const done = (f: () => void) => {
        child.off('message', onMessage);
        child.off('exit', onExitEarly);
        f();
      };
      child.on('message', onMessage);
      child.on('exit', onExitEarly);
    });
    return new WorkerProcess(name, child);
  }

  private request(
    message: { type: 'status'; gc?: boolean } | { type: 'stop' },
    timeoutMs = 60_000,
  ): Promise<ChildMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${this.name}: no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.child.send({ id, ...message });
    });
  }

  async status(opts: { gc?: boolean } = {}): Promise<ChildStatus> {
    const m = await this.request({ type: 'status', gc: opts.gc ?? false }, opts.gc ? 180_000 : 60_000);
    if (m.type !== 'status') throw new Error(`worker ${this.name}: unexpected answer ${m.type}`);
    return m.status;
  }

  /**
   * Waits until the worker has `minCached` workflows in its cache and nothing in flight, seen on
   * `stableChecks` consecutive polls (work still arriving — a publish activity's follow-up task — shows
   * up as in-flight or as a changing cache count).
   */
  async settle(opts: {
    minCached: number;
    timeoutMs: number;
    stableChecks?: number;
    intervalMs?: number;
  }): Promise<ChildStatus> {
    const deadline = Date.now() + opts.timeoutMs;
    let stable = 0;
    let last: ChildStatus | undefined;
    for (;;) {
      const s = await this.status();
      const idle = s.numInFlightWorkflowActivations === 0 && s.numInFlightActivities === 0;
      const same = last !== undefined && last.numCachedWorkflows === s.numCachedWorkflows;
      stable = idle && same && s.numCachedWorkflows >= opts.minCached ? stable + 1 : 0;
      last = s;
      if (stable >= (opts.stableChecks ?? 3)) return s;
      if (Date.now() > deadline) {
        throw new Error(
          `worker ${this.name} did not settle in ${opts.timeoutMs} ms (cached ${s.numCachedWorkflows}/${opts.minCached}, ` +
            `in flight ${s.numInFlightWorkflowActivations} activations, ${s.numInFlightActivities} activities)`,
        );
      }
      await sleep(opts.intervalMs ?? 500);
    }
  }

  /** RSS after a full GC: the median of three readings a moment apart (RSS lags freed pages a little). */
  async settledRss(): Promise<ChildStatus & { rssReadings: number[] }> {
    const readings: ChildStatus[] = [];
    for (let i = 0; i < 3; i++) {
      readings.push(await this.status({ gc: true }));
      await sleep(300);
    }
    const sorted = [...readings].sort((a, b) => a.rss - b.rss);
    return { ...(sorted[1] as ChildStatus), rssReadings: readings.map((r) => r.rss) };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request({ type: 'stop' }, 30_000);
    } catch {
      this.child.kill('SIGKILL');
    }
    await Promise.race([exited, sleep(10_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
