/**
 * The whole staff-facing stack for browser tests, every part real: a nats-server of its own, the development
 * identity provider (a process, with this gateway's URL registered for `gateway-web`), an orchestrator worker, a
 * notifier with the e-mail channel, the SMTP sink (the built workers/mail-sink.js, a process), and the gateway with
 * the web app, in process. A missing build is an error naming `npm run build`, never a skip.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AGENCIES } from '../../src/domain/agencies';
import type { DeadlinePolicy } from '../../src/domain/policy';
import { createGateway } from '../../src/gateway/app';
import { createTokenVerifier } from '../../src/identity/verify';
import { readStaffDirectory, type StaffDirectory } from '../../src/mail/directory';
import { readCaughtMails, type CaughtMail } from '../../src/mail/sink';
import { createMailer } from '../../src/mail/transport';
import { ensureNotifierBuckets, type NotifierBuckets } from '../../src/nats/buckets';
import { LogChannel, type Delivery, type NotificationChannel } from '../../src/notifier/channels';
import { EmailChannel } from '../../src/notifier/email';
import { Notifier } from '../../src/notifier/notifier';
import { CaseService } from '../../src/temporal/case-service';
import type { WebConfig } from '../../src/web/config';
import { silentLogger } from '../integration/notifier-fixtures';
import { startIdentityProvider, type IdentityProviderHandle } from './identity';
import { startOrchestrator, testConfig, type TestOrchestrator } from './orchestrator';
import { freePort, makeTempDir, REPO_ROOT, removeTempDir, terminate, waitFor } from './proc';
import { startNatsServer, type NatsServerHandle } from './servers';

const SINK_WORKER = join(REPO_ROOT, 'dist', 'workers', 'mail-sink.js');
export const STAFF_DIRECTORY_FILE = join(REPO_ROOT, 'deploy', 'identity', 'staff-directory.json');

export interface WebStack {
  /** The gateway's origin, e.g. http://127.0.0.1:40123 (the web app is at /inbox). */
  url: string;
  idp: IdentityProviderHandle;
  o: TestOrchestrator;
  app: FastifyInstance;
  buckets: NotifierBuckets;
  email: EmailChannel;
  directory: StaffDirectory;
  /** Every delivery the notifier made to its channels (to replay one at the e-mail channel). */
  deliveries: Delivery[];
  /** Every mail the SMTP sink caught so far. */
  mails(): CaughtMail[];
  stop(): Promise<void>;
}

function assertSinkBuilt(): void {
  const source = join(REPO_ROOT, 'src', 'mail', 'sink.ts');
  if (!existsSync(SINK_WORKER) || statSync(source).mtimeMs > statSync(SINK_WORKER).mtimeMs) {
    throw new Error(`${SINK_WORKER} is missing or older than its sources: run \`npm run build\` first`);
  }
}

/** The SMTP sink as the dev stack runs it: the built worker, a process, on a free loopback port. */
export async function startSinkProcess(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  assertSinkBuilt();
  const port = await freePort();
  const logFile = join(dir, 'mail-sink.log');
  const fd = openSync(logFile, 'a');
  let pid: number;
  try {
    const child = spawn(process.execPath, [SINK_WORKER], {
      env: {
        ...process.env,
        MAIL_SINK_HOST: '127.0.0.1',
        MAIL_SINK_PORT: String(port),
        MAIL_SINK_DIR: dir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', fd, fd],
      cwd: REPO_ROOT,
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error('could not start the mail sink');
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  await waitFor(
    'mail sink',
    async () =>
      existsSync(logFile) && readFileSync(logFile, 'utf8').includes('mail sink listening') ? true : undefined,
    { pid, binary: process.execPath, logFile, timeoutMs: 20_000 },
  );
  return { port, stop: () => terminate(pid, process.execPath, 5_000) };
}

/** A recorder in front of the e-mail channel, so a test can hand it the same delivery again. */
class Recording implements NotificationChannel {
  readonly name = 'recording';
  constructor(readonly seen: Delivery[]) {}
  async deliver(d: Delivery): Promise<void> {
    this.seen.push(d);
  }
}

export interface WebStackOptions {
  policy?: DeadlinePolicy;
  /** Overrides of the web app's settings (idle timeout for the session tests...). */
  web?: Partial<WebConfig>;
  /** The web app's clock (sessions, token renewal), so a test can move it on. */
  webNow?: () => number;
}

export async function startWebStack(opts: WebStackOptions = {}): Promise<WebStack> {
  assertSinkBuilt();
  const tmp = makeTempDir('case-web-');
  const nats: NatsServerHandle = await startNatsServer();
  const sink = await startSinkProcess(tmp);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startIdentityProvider({ env: { GATEWAY_URL: url } });
  const o = await startOrchestrator({
    config: testConfig({ NATS_URL: nats.url }),
    ...(opts.policy ? { policy: opts.policy } : {}),
  });
  const buckets = await ensureNotifierBuckets(o.nc);
  const directory = readStaffDirectory(STAFF_DIRECTORY_FILE);
  const email = new EmailChannel({
    directory,
    mailer: createMailer({
      url: new URL(`smtp://127.0.0.1:${sink.port}`),
      secure: false,
      requireTls: false,
      from: 'Casos <no-reply@case-orchestrator.invalid>',
      timeoutMs: 10_000,
    }),
    marks: buckets.seen,
    inbox: buckets.inbox,
    linkBase: url,
    defaultLanguage: 'es',
    defaultTimeZone: 'America/Lima',
    digest: { at: '07:00', timeZone: 'America/Lima' },
  });
  const deliveries: Delivery[] = [];
  const notifier = new Notifier({
    nc: o.nc,
    stream: o.config.NATS_STREAM,
    agencies: AGENCIES,
    cleared: true,
    buckets,
    channels: [new LogChannel(silentLogger()), new Recording(deliveries), email],
    logger: silentLogger(),
    retryBaseMs: 200,
    retryMaxMs: 1_000,
  });
  await notifier.start();
  const clientSecret = idp.secrets.clients['gateway-web'];
  if (!clientSecret) throw new Error('the identity provider has no secret for gateway-web');
  const web: WebConfig = {
    enabled: true,
    publicUrl: url,
    clientId: 'gateway-web',
    clientSecret,
    cookieSecure: false,
    idleTimeoutMs: 30 * 60_000,
    sessionMaxMs: 8 * 3_600_000,
    maxSessions: 100,
    defaultLanguage: 'es',
    defaultTimeZone: 'America/Lima',
    heartbeatMs: 1_000,
    ...opts.web,
  };
  const app = await createGateway({
    cases: new CaseService(o.temporal, o.config, opts.policy),
    inbox: buckets.inbox,
    verifier: createTokenVerifier(idp.verifierOptions()),
    logger: silentLogger(),
    accessTtlMs: 0,
    heartbeatMs: 1_000,
    web: { config: web, issuer: idp.issuer, directory, ...(opts.webNow ? { now: opts.webNow } : {}) },
  });
  await app.listen({ host: '127.0.0.1', port });
  if ((app.server.address() as AddressInfo).port !== port) throw new Error('the gateway did not take its port');
  return {
    url,
    idp,
    o,
    app,
    buckets,
    email,
    directory,
    deliveries,
    mails: () => readCaughtMails(tmp),
    async stop() {
      await app.close();
      await notifier.stop();
      email.stop();
      await o.stop();
      await idp.stop({ removeData: true });
      await sink.stop();
      await nats.stop({ removeData: true });
      removeTempDir(tmp);
    },
  };
}
