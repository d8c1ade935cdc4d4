/**
 * The production topology for tests: scripts/prod-local.sh itself (what `npm run stack:prod-local` runs), with its
 * state in a temp dir, its own PostgreSQL databases and a free block of ports, so a test exercises the real script,
 * binaries and configuration files: Temporal server on PostgreSQL with mTLS, a three-node NATS JetStream cluster,
 * our worker and notifier processes. Faults are real process deaths (kill -9 of a pid the script recorded); `up()`
 * brings back whatever died, as it does for an operator.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { connectionOptions } from '../../src/temporal/connection';
import { sleep } from './proc';

/** The repository, from test/support (ts) or dist/test/support (compiled for the benchmarks). */
const REPO_ROOT = ((): string => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'prod-local.sh'))) return dir;
  }
  throw new Error(`scripts/prod-local.sh not found above ${__dirname}`);
})();
const SCRIPT = join(REPO_ROOT, 'scripts', 'prod-local.sh');
const VERSIONS = join(REPO_ROOT, 'scripts', 'versions.sh');

/** NAME=value lines of scripts/versions.sh (the pinned releases). */
export function pinnedVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(VERSIONS, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** Every binary the topology needs, checked before anything starts: a missing one fails with its build command. */
export function requireProdBinaries(): void {
  const v = pinnedVersions();
  const tools = join(REPO_ROOT, '.tools');
  const checks: Array<[string, string[], string]> = [
    [join(tools, 'temporal-server', 'bin', 'server'), ['--version'], `temporal version ${v.TEMPORAL_SERVER_VERSION}`],
    [
      join(tools, 'temporal-server', 'bin', 'temporal-sql-tool'),
      ['--version'],
      `temporal-sql-tool version ${v.TEMPORAL_SERVER_VERSION}`,
    ],
    [join(tools, 'bin', 'nats-server'), ['--version'], `nats-server: v${v.NATS_SERVER_VERSION}`],
    [join(tools, 'ui-server', 'bin', 'server'), ['--version'], `Temporal UI version ${v.TEMPORAL_UI_SERVER_VERSION}`],
  ];
  const problems: string[] = [];
  for (const [binary, args, expected] of checks) {
    const run = existsSync(binary) ? spawnSync(binary, args, { encoding: 'utf8' }) : undefined;
    const got = run?.stdout.trim();
    if (got !== expected) problems.push(`${binary}: ${got ? `reports "${got}"` : 'missing'}, want "${expected}"`);
  }
  if (!existsSync(join(tools, 'temporal-server', 'schema', 'postgresql', 'v12'))) {
    problems.push(`${join(tools, 'temporal-server', 'schema')}: missing`);
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'workers', 'orchestrator.js'))) problems.push('dist/: run `npm run build`');
  if (problems.length > 0) {
    throw new Error(
      `the production topology cannot start:\n  ${problems.join('\n  ')}\n` +
        'Build the binaries with: bash scripts/toolchain.sh --prod   (npm test does; Go builds take minutes cold)',
    );
  }
}

export interface ProdTopologyOptions {
  /** Our processes to run (names of scripts/prod-local.sh's table); default: the two workers and the notifier. */
  apps?: string[];
  /** Run the Web UI server too (default false). */
  ui?: boolean;
  /** Environment of our processes on top of the test's (webhooks, notifier timings, CODEC_KEYS...). */
  env?: Record<string, string>;
}

export interface AdminTls {
  ca: string;
  cert: string;
  key: string;
}

export interface ProdTopology {
  /** The state directory ($DATA_DIR/prod-local) and the certificates' ($DATA_DIR/tls). */
  dir: string;
  tlsDir: string;
  portBase: number;
  temporalAddress: string;
  /** The admin's client settings the script wrote (client.env): TEMPORAL_*, NATS_URL, NATS_NKEY_SEED_FILE... */
  clientEnv: Record<string, string>;
  natsUrls: string[];
  /** NATS monitoring endpoints, by node number (1..3). */
  natsMonitorUrl(node: number): string;
  uiUrl: string;
  database: string;
  admin: AdminTls;
  /** The pid the script recorded for a part (temporal, temporal-ui, nats-1..3, orchestrator-1, notifier...). */
  pid(name: string): number | undefined;
  /** kill -9 of one part; resolves once the process is gone. Returns the pid it killed. */
  kill9(name: string): Promise<number>;
  /** `prod-local.sh up`: starts what is not running; resolves when everything is ready again. */
  up(): Promise<void>;
  /** `prod-local.sh status`: its exit code and output. */
  status(): Promise<{ code: number; output: string }>;
  /** A Temporal connection with the admin's client certificate (through src/temporal/connection.ts). */
  connectTemporal(): Promise<Connection>;
  /** `prod-local.sh purge`: stops everything, drops the databases, removes the temp dir. */
  stop(): Promise<void>;
}

/** The script's ports for a base (it knows its own layout), all free right now. */
async function freePortBase(scriptEnv: NodeJS.ProcessEnv): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below 32768: Temporal keeps its ports in a PostgreSQL smallint (the script refuses bases above 31000).
    const base = 18_000 + 1000 * Math.floor(Math.random() * 14);
    const ports = spawnSync('bash', [SCRIPT, 'ports'], {
      env: { ...scriptEnv, PROD_LOCAL_PORT_BASE: String(base) },
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    if (ports.length === 0) throw new Error('scripts/prod-local.sh ports printed nothing');
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the production topology');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function runScript(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [SCRIPT, command],
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** `export NAME=value` lines. */
function readClientEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export async function startProdTopology(opts: ProdTopologyOptions = {}): Promise<ProdTopology> {
  requireProdBinaries();
  // Not makeTempDir: its exit-time cleanup would remove the pid files before the purge below could read them.
  const dataDir = mkdtempSync(join(tmpdir(), 'case-prod-'));
  const dir = join(dataDir, 'prod-local');
  const tlsDir = join(dataDir, 'tls');
  // A database pair of this run's own on the shared PostgreSQL; purge drops them.
  const database = `temporal_test_${process.pid}_${Date.now().toString(36)}`;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    DATA_DIR: dataDir,
    PROD_LOCAL_DB: database,
    PROD_LOCAL_NO_BUILD: '1',
    PROD_LOCAL_UI: opts.ui ? '1' : '0',
    PROD_LOCAL_APPS: (opts.apps ?? ['orchestrator-1', 'orchestrator-2', 'notifier']).join(','),
    // Readiness is read from our processes' info-level log lines.
    LOG_LEVEL: 'info',
  };
  const portBase = await freePortBase(baseEnv);
  const env: NodeJS.ProcessEnv = { ...baseEnv, PROD_LOCAL_PORT_BASE: String(portBase) };

  // A crash of the test process must not leave servers or databases behind: purge synchronously on exit.
  let stopped = false;
  const purgeSync = () => {
    if (stopped) return;
    stopped = true;
    const keep = Boolean(process.env.CASE_TEST_KEEP_DATA);
    spawnSync('bash', [SCRIPT, keep ? 'down' : 'purge'], { env, stdio: 'ignore', timeout: 60_000 });
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', purgeSync);

  const up = async () => {
    const r = await runScript('up', env);
    if (r.code !== 0) throw new Error(`scripts/prod-local.sh up failed (${r.code}):\n${r.output.slice(-4000)}`);
  };
  try {
    await up();
  } catch (err) {
    purgeSync();
    process.off('exit', purgeSync);
    throw err;
  }

  const pidFile = (name: string) => join(dir, 'pids', `${name}.pid`);
  const pid = (name: string) => {
    try {
      const n = Number(readFileSync(pidFile(name), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const admin: AdminTls = {
    ca: join(tlsDir, 'ca.pem'),
    cert: join(tlsDir, 'admin.pem'),
    key: join(tlsDir, 'admin-key.pem'),
  };
  const temporalAddress = `127.0.0.1:${portBase + 233}`;
  const clientEnv = readClientEnv(join(dir, 'client.env'));
  return {
    dir,
    tlsDir,
    portBase,
    temporalAddress,
    clientEnv,
    natsUrls: (clientEnv.NATS_URL ?? '').split(','),
    natsMonitorUrl: (node) => `http://127.0.0.1:${portBase + 821 + node}`,
    uiUrl: `http://127.0.0.1:${portBase + 80}`,
    database,
    admin,
    pid,
    async kill9(name) {
      const target = pid(name);
      if (!target || !isAlive(target)) throw new Error(`${name} is not running (pid file ${pidFile(name)})`);
      process.kill(target, 'SIGKILL');
      // The script's processes are not our children: init reaps them.
      const deadline = Date.now() + 10_000;
      while (isAlive(target)) {
        if (Date.now() > deadline) throw new Error(`${name} (pid ${target}) survived SIGKILL for 10 s`);
        await sleep(20);
      }
      return target;
    },
    up,
    status: () => runScript('status', env, 30_000),
    connectTemporal: () =>
      Connection.connect({
        ...connectionOptions(loadConfig({ ...clientEnv, LOG_LEVEL: 'warn' })),
        connectTimeout: '10s',
      }),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', purgeSync);
      // CASE_TEST_KEEP_DATA=1 keeps the logs, stores and databases for a post-mortem (`down` rather than `purge`).
      const keep = Boolean(process.env.CASE_TEST_KEEP_DATA);
      const r = await runScript(keep ? 'down' : 'purge', env, 120_000);
      if (keep) process.stdout.write(`[prod topology] kept ${dataDir} and databases ${database}(_visibility)\n`);
      else rmSync(dataDir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`scripts/prod-local.sh failed to stop (${r.code}):\n${r.output.slice(-2000)}`);
    },
  };
}
