/**
 * The integration run's servers as seen from a test file. Test files run in their own module registry (and
 * maybe another process) than the global setup, so the servers are described by a JSON file rather than
 * shared objects: addresses, pids and the exact command lines, which is all a restart needs.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cleanupSync, isRunning, sleep } from './proc';
import {
  NatsRecord,
  NatsServerHandle,
  relaunchNats,
  relaunchTemporal,
  stopServer,
  TemporalRecord,
  TemporalServerHandle,
} from './servers';

export interface StackState {
  temporal: TemporalRecord;
  nats: NatsRecord;
}

/** Where the global setup leaves its server handles for the global teardown. */
export const STACK_GLOBAL = Symbol.for('case-orchestrator.test-stack');
export interface StackGlobal {
  temporal: TemporalServerHandle;
  nats: NatsServerHandle;
  unguard: () => void;
}

export function stackFile(): string {
  const file = process.env.CASE_TEST_STACK_FILE;
  if (!file) throw new Error('CASE_TEST_STACK_FILE is not set: run this test in the jest "integration" project');
  return file;
}

export function readStackState(file = stackFile()): StackState {
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

/** Atomic replace, so a reader never sees half a file. */
export function writeStackState(state: StackState, file = stackFile()): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

type Server = 'temporal' | 'nats';

async function stop(server: Server): Promise<void> {
  await stopServer(readStackState()[server]);
}

async function start(server: Server): Promise<void> {
  const state = readStackState();
  // Record the pid at spawn time, so the teardown (or a crash handler) can find a server still booting.
  const record = (pid: number) => writeStackState({ ...state, [server]: { ...state[server], pid } });
  if (server === 'nats') await relaunchNats(state.nats, record);
  else await relaunchTemporal(state.temporal, record);
  writeStackState(state);
}

/** Stops a server (SIGTERM), optionally leaves it down for downMs, and starts it again on the same port
 * with the same data. Resolves once it serves again. */
async function restart(server: Server, opts: { downMs?: number } = {}): Promise<void> {
  await stop(server);
  if (opts.downMs) await sleep(opts.downMs);
  await start(server);
}

export function testStack() {
  const state = readStackState();
  return {
    temporalAddress: state.temporal.address,
    temporalDbFile: state.temporal.dbFile,
    natsUrl: state.nats.url,
    natsStoreDir: state.nats.storeDir,
    restartNats: (opts?: { downMs?: number }) => restart('nats', opts),
    restartTemporal: (opts?: { downMs?: number }) => restart('temporal', opts),
    /** For outages of a length the test controls; always pair with startNats() (in a finally). */
    stopNats: () => stop('nats'),
    startNats: () => start('nats'),
    stopTemporal: () => stop('temporal'),
    startTemporal: () => start('temporal'),
  };
}

/** Synchronous SIGKILL of whatever the stack file lists, and removal of its temp dirs: for 'exit' and
 * signal handlers, where nothing can be awaited. */
export function killStackSync(file: string): void {
  if (!existsSync(file)) return;
  try {
    const state = readStackState(file);
    for (const s of [state.temporal, state.nats]) {
      if (isRunning(s.pid, s.command[0] as string)) process.kill(s.pid, 'SIGKILL');
      if (s.tempDir && !process.env.CASE_TEST_KEEP_DATA) rmSync(s.tempDir, { recursive: true, force: true });
    }
    rmSync(file, { force: true });
  } catch {
    // exiting anyway; nothing useful to do with an error here
  }
}

const FATAL_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Kills the stack if the jest process ends without running the global teardown: a crash, or Ctrl-C or
 * SIGTERM aimed at jest alone, during setup or tests (the servers are jest's children, but Node does not
 * take children down with it). After a signal it exits with the shell's 128+n status, as the default
 * action would have. Returns the uninstaller.
 */
export function guardStack(file: string): () => void {
  // The file lists servers restarted by test files; cleanupSync covers those this process is starting.
  const onExit = () => {
    cleanupSync();
    killStackSync(file);
  };
  const onSignal = (signal: keyof typeof FATAL_SIGNALS) => {
    uninstall();
    onExit();
    // Re-raising the signal is not enough: Node's handler is still installed until the next tick.
    process.exit(128 + FATAL_SIGNALS[signal]);
  };
  const signals = Object.keys(FATAL_SIGNALS) as (keyof typeof FATAL_SIGNALS)[];
  const uninstall = () => {
    process.off('exit', onExit);
    for (const signal of signals) process.off(signal, onSignal);
  };
  process.on('exit', onExit);
  for (const signal of signals) process.on(signal, onSignal);
  return uninstall;
}
