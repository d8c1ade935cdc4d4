/**
 * Real servers for integration tests: a nats-server with JetStream and a Temporal dev server, each on a
 * free port with its own temp data, so tests never touch the machine's shared NATS or a developer's stack.
 * Both keep their data across restart(): fault tests stop a server mid-run and expect it back as it was.
 */
import { Connection } from '@temporalio/client';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  findBinary,
  freePort,
  launch,
  Launched,
  makeTempDir,
  removeTempDir,
  REPO_ROOT,
  terminate,
  waitFor,
} from './proc';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const STARTUP_TIMEOUT_MS = Number(process.env.CASE_TEST_SERVER_TIMEOUT_MS ?? 60_000);

/** What it takes to (re)start a server process; plain JSON so it can be handed to test files. */
export interface ServerRecord {
  command: string[];
  logFile: string;
  pid: number;
  /** Directory the harness created and may delete; undefined when the caller supplied the location. */
  tempDir?: string;
}
export interface NatsRecord extends ServerRecord {
  url: string;
  port: number;
  storeDir: string;
}
export interface TemporalRecord extends ServerRecord {
  address: string;
  port: number;
  uiPort?: number;
  dbFile: string;
}

interface Handle<R extends ServerRecord> {
  readonly pid: number;
  /** Live state (the pid changes on restart). */
  readonly record: R;
  /** Stops the process; with removeData, also deletes the temp dir the harness created for it. */
  stop(opts?: { removeData?: boolean }): Promise<void>;
  /** Stops and starts the same command (same port, same data) and waits until it is ready again. */
  restart(): Promise<void>;
}
export interface NatsServerHandle extends Handle<NatsRecord> {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
}
export interface TemporalServerHandle extends Handle<TemporalRecord> {
  /** host:port of the frontend gRPC service, for Connection.connect / NativeConnection.connect. */
  readonly address: string;
  /** Web UI port, or undefined when headless (the default). */
  readonly uiPort: number | undefined;
  readonly dbFile: string;
}

/**
 * The pinned nats-server release the toolchain builds (.tools/bin, scripts/versions.sh) first, so tests run the
 * NATS that production runs; else one on PATH or Debian's in /usr/sbin (2.9.10, older than the compose files').
 */
export function natsServerBinary(): string {
  const pinned = join(REPO_ROOT, '.tools', 'bin', 'nats-server');
  const binary = existsSync(pinned) ? pinned : findBinary('nats-server', ['/usr/sbin', '/usr/local/sbin']);
  if (!binary) {
    throw new Error('nats-server not found. Run `npm run toolchain` (builds the pinned release into .tools/bin).');
  }
  return binary;
}

export function temporalBinary(): string {
  const binary = findBinary('temporal', [join(REPO_ROOT, '.tools', 'bin')]);
  if (!binary) throw new Error('Temporal CLI not found. Run `npm run toolchain` (builds .tools/bin/temporal with Go).');
  return binary;
}

// ---- NATS ----

export async function startNatsServer(
  opts: { configFile?: string; storeDir?: string; port?: number } = {},
): Promise<NatsServerHandle> {
  const binary = natsServerBinary();
  const tempDir = opts.storeDir ? undefined : makeTempDir('case-nats-');
  const storeDir = opts.storeDir ?? (tempDir as string);
  mkdirSync(storeDir, { recursive: true });
  // Command-line flags win over the config file, so a config only adds accounts, permissions and the like.
  const command = [binary, '-js', '-a', '127.0.0.1', '-p', String(opts.port ?? -1)];
  command.push('-sd', storeDir, '--ports_file_dir', storeDir, ...(opts.configFile ? ['-c', opts.configFile] : []));
  const record: NatsRecord = {
    command,
    logFile: join(storeDir, 'nats-server.log'),
    pid: 0,
    tempDir,
    url: '',
    port: 0,
    storeDir,
  };
  await relaunchNats(record);
  // Pin the port the server picked, so a restart comes back where the clients reconnect.
  command[command.indexOf('-p') + 1] = String(record.port);
  return {
    get pid() {
      return record.pid;
    },
    record,
    url: record.url,
    port: record.port,
    storeDir,
    stop: (o) => stopServer(record, o),
    restart: async () => {
      await stopServer(record);
      await relaunchNats(record);
    },
  };
}

/**
 * Starts record.command and waits until it accepts clients with JetStream on; updates pid/port/url.
 * onSpawn learns the new pid before the server is ready (to record it where a crash handler can see it).
 */
export async function relaunchNats(record: NatsRecord, onSpawn?: (pid: number) => void): Promise<void> {
  const ready = async (server: Launched) => {
    // With `-p -1` only the ports file tells which port the server took.
    const port = await waitFor('nats-server', async () => readPortsFile(record.storeDir, server.pid), server);
    await waitFor('nats-server JetStream', async () => ((await natsInfo(port)).jetstream ? true : undefined), server);
    return port;
  };
  const { pid, value: port } = await launch(record.command, record.logFile, STARTUP_TIMEOUT_MS, ready, onSpawn);
  Object.assign(record, { pid, port, url: `nats://127.0.0.1:${port}` });
}

function readPortsFile(dir: string, pid: number): number | undefined {
  const file = join(dir, `nats-server_${pid}.ports`);
  if (!existsSync(file)) return undefined;
  const { nats } = JSON.parse(readFileSync(file, 'utf8')) as { nats?: string[] };
  const port = Number(new URL(nats?.[0] ?? 'nats://x:0').port);
  return port > 0 ? port : undefined;
}

/** The INFO line a NATS server sends to every new client: it says whether JetStream is enabled. */
function natsInfo(port: number): Promise<{ jetstream?: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('no INFO from nats-server within 1s')));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('nats-server closed the connection before INFO')));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      socket.destroy();
      const line = buffer.slice(0, end);
      if (!line.startsWith('INFO ')) return reject(new Error(`unexpected greeting: ${line}`));
      resolve(JSON.parse(line.slice(5)) as { jetstream?: boolean });
    });
  });
}

// ---- Temporal ----

export async function startTemporalDevServer(
  opts: {
    dbFile?: string;
    ui?: boolean;
    /** With ui: the Web UI's port, when the caller needs it before the server starts (e.g. for CORS). */
    uiPort?: number;
    /** Extra `temporal server start-dev` flags, e.g. ['--ui-codec-endpoint', url]. */
    extraArgs?: string[];
  } = {},
): Promise<TemporalServerHandle> {
  const binary = temporalBinary();
  // A db file (rather than the default in-memory store) is what lets restart() keep workflows.
  const tempDir = opts.dbFile ? undefined : makeTempDir('case-temporal-');
  const dbFile = opts.dbFile ?? join(tempDir as string, 'temporal.db');
  const port = await freePort();
  let uiPort: number | undefined = opts.ui ? opts.uiPort : undefined;
  while (opts.ui && (uiPort === undefined || uiPort === port)) uiPort = await freePort();
  const command = [binary, 'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  command.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']), '--db-filename', dbFile);
  // WAL without fsync: the SDK's own stress tests run the dev server so; durability across a process
  // kill is kept (the OS has the pages), only a machine crash could lose writes.
  command.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF', '--log-level', 'warn');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) command.push('--search-attribute', `${name}=${type}`);
  command.push(...(opts.extraArgs ?? []));
  const address = `127.0.0.1:${port}`;
  const record: TemporalRecord = { command, logFile: `${dbFile}.log`, pid: 0, tempDir, address, port, uiPort, dbFile };
  await relaunchTemporal(record);
  return {
    get pid() {
      return record.pid;
    },
    record,
    address,
    uiPort,
    dbFile,
    stop: (o) => stopServer(record, o),
    restart: async () => {
      await stopServer(record);
      await relaunchTemporal(record);
    },
  };
}

/** Starts record.command and waits until the default namespace lists all our search attributes. */
export async function relaunchTemporal(record: TemporalRecord, onSpawn?: (pid: number) => void): Promise<void> {
  const ready = (server: Launched) =>
    waitFor('temporal dev server', () => temporalReady(record.address, record.port), server);
  const { pid } = await launch(record.command, record.logFile, STARTUP_TIMEOUT_MS, ready, onSpawn);
  record.pid = pid;
}

async function temporalReady(address: string, port: number): Promise<true | undefined> {
  // A plain TCP probe first: a gRPC connect to a closed port would wait out its whole timeout.
  if (!(await tcpOpen(port))) return undefined;
  const connection = await Connection.connect({ address, connectTimeout: '2s' });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !customAttributes?.[name]);
    if (missing.length > 0) throw new Error(`search attributes not registered yet: ${missing.join(', ')}`);
    return true;
  } finally {
    await connection.close();
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('error', () => undefined); // refused: 'close' follows and answers false
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('close', () => resolve(false));
  });
}

// ---- both ----

export async function stopServer(record: ServerRecord, opts: { removeData?: boolean } = {}): Promise<void> {
  await terminate(record.pid, record.command[0] as string);
  if (opts.removeData && record.tempDir) removeTempDir(record.tempDir);
}
