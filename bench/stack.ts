/**
 * The benchmark's own dev stack: a Temporal dev server and a nats-server on free ports with temp data,
 * started with the very helpers the integration tests use (test/support/servers.ts: WAL pragmas,
 * --headless, our search attributes), so the bench never touches the machine's shared NATS or a
 * developer's stack. Also the run's random codec key, and cleanup on exit or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { loadConfig, type Config } from '../src/config';
import { cleanupSync } from '../test/support/proc';
import {
  startNatsServer,
  startTemporalDevServer,
  type NatsServerHandle,
  type TemporalServerHandle,
} from '../test/support/servers';

/** The repository root, from bench/ (ts) or dist/bench/ (compiled). */
export const REPO_ROOT =
  basename(dirname(__dirname)) === 'dist' ? resolve(__dirname, '..', '..') : resolve(__dirname, '..');

export interface BenchStack {
  temporal: TemporalServerHandle;
  nats: NatsServerHandle;
  /** Configuration for clients and workers of this run (task queues are set per benchmark). */
  config: (overrides?: Record<string, string>) => Config;
  stop(): Promise<void>;
}

const exitHooks: Array<() => void> = [];

/** Registers a synchronous cleanup for process exit and fatal signals (worker children, servers). */
export function onExit(hook: () => void): void {
  exitHooks.push(hook);
}

let guarded = false;
function guard(): void {
  if (guarded) return;
  guarded = true;
  const runHooks = () => {
    for (const hook of exitHooks.splice(0)) {
      try {
        hook();
      } catch {
        // exiting anyway
      }
    }
    cleanupSync();
  };
  process.on('exit', runHooks);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n[bench] ${signal}: stopping the bench stack\n`);
      runHooks();
      process.exit(code);
    });
  }
}

export async function startBenchStack(): Promise<BenchStack> {
  guard();
  // The Temporal CLI may live in .tools/bin (npm run toolchain); nats-server in /usr/sbin.
  process.env.PATH = [join(REPO_ROOT, '.tools', 'bin'), process.env.PATH ?? '', '/usr/sbin', '/usr/local/sbin']
    .filter(Boolean)
    .join(delimiter);
  // A fresh AES-256 key for this run only: every client and worker of the run shares it via the env.
  process.env.CODEC_KEYS = `bench:${randomBytes(32).toString('base64')}`;
  const [temporal, nats] = await Promise.all([startTemporalDevServer(), startNatsServer()]);
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.NATS_URL = nats.url;
  const base = { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' };
  return {
    temporal,
    nats,
    config: (overrides = {}) => loadConfig({ ...base, ...overrides }),
    async stop() {
      await Promise.allSettled([temporal.stop({ removeData: true }), nats.stop({ removeData: true })]);
    },
  };
}
