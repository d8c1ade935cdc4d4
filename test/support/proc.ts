/**
 * Process plumbing for the test servers: find a binary, spawn it with output in a log file, wait for it
 * to become ready, stop it. Servers write to files rather than pipes so that no stream handle keeps jest
 * alive, and a failing start can quote the server's own words.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';

/** The repository root, from test/support (ts) or dist/test/support (compiled, when benchmarks use it). */
export const REPO_ROOT =
  basename(resolve(__dirname, '..', '..')) === 'dist'
    ? resolve(__dirname, '..', '..', '..')
    : resolve(__dirname, '..', '..');

/** First executable named `name` on PATH or in `extraDirs`, else undefined. */
export function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** A port that was free a moment ago (the OS picks it; we release it for the server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts command[0] with its output appended to logFile and returns its pid. The child is unref'd: the
 * caller owns its lifetime through stop()/terminate(), and jest must not wait for it.
 */
export function spawnServer(command: readonly string[], logFile: string): number {
  const pid = spawnLogged(command, logFile);
  spawned.set(pid, command[0] as string);
  return pid;
}

/** Servers this process started and has not stopped, and temp dirs it made and has not removed. */
const spawned = new Map<number, string>();
const tempDirs = new Set<string>();

/** A fresh directory under the OS temp dir, removed by removeTempDir() or cleanupSync(). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/**
 * SIGKILL every server this process started that still runs, and remove its temp dirs (unless
 * CASE_TEST_KEEP_DATA is set); for 'exit' and signal handlers, where nothing can be awaited.
 */
export function cleanupSync(): void {
  for (const [pid, binary] of spawned) if (isRunning(pid, binary)) signal(pid, 'SIGKILL');
  spawned.clear();
  if (!process.env.CASE_TEST_KEEP_DATA) for (const dir of tempDirs) removeTempDir(dir);
}

function spawnLogged(command: readonly string[], logFile: string): number {
  const [file, ...args] = command;
  if (!file) throw new Error('empty command');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd] });
    // An 'error' event with no listener would crash the process; a failed start shows up as a dead pid.
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** True while pid runs `binary` (zombies count as dead; a reused pid running something else too). */
export function isRunning(pid: number, binary: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** process.kill that tolerates the process having exited already. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM, then SIGKILL after graceMs. A no-op if pid no longer runs `binary`. */
export async function terminate(pid: number, binary: string, graceMs = 15_000): Promise<void> {
  spawned.delete(pid);
  if (!isRunning(pid, binary)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid, binary)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      while (isRunning(pid, binary)) await sleep(20);
      return;
    }
    await sleep(20);
  }
}

export function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls probe until it returns a value. Fails early if the server died, and after timeoutMs otherwise,
 * quoting the server's log so a broken start explains itself.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, server: Launched): Promise<T> {
  const deadline = Date.now() + server.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    const dead = !isRunning(server.pid, server.binary);
    if (dead || Date.now() > deadline) {
      const why = dead ? 'exited during startup' : `not ready after ${server.timeoutMs} ms`;
      const last = lastError instanceof Error ? `\nlast probe error: ${lastError.message}` : '';
      throw new Error(`${what} ${why} (log ${server.logFile}):${last}\n${logTail(server.logFile)}`);
    }
    await sleep(100);
  }
}

export interface Launched {
  pid: number;
  binary: string;
  logFile: string;
  timeoutMs: number;
}

/**
 * Spawns command and waits for ready(). If the server never gets ready it is killed, so a failed start
 * leaves nothing running behind the error. onSpawn learns the pid at once, before the server is ready.
 */
export async function launch<T>(
  command: readonly string[],
  logFile: string,
  timeoutMs: number,
  ready: (server: Launched) => Promise<T>,
  onSpawn?: (pid: number) => void,
): Promise<{ pid: number; value: T }> {
  const binary = command[0] as string;
  const server = { pid: spawnServer(command, logFile), binary, logFile, timeoutMs };
  onSpawn?.(server.pid);
  try {
    return { pid: server.pid, value: await ready(server) };
  } catch (err) {
    await terminate(server.pid, binary, 2_000);
    throw err;
  }
}
