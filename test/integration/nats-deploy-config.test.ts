/**
 * The production NATS configs (deploy/nats) with the authorization `cases setup --auth-config` writes: each one
 * parses with the real nats-server, none starts without its TLS settings (a cluster node not without TLS on its
 * routes either), and a server running their shared client access part (client-access.conf) takes TLS clients
 * with their NKEYs and refuses everyone else.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { nkeys } from '@nats-io/transport-node';
import { identities } from '../../src/nats/auth-config';
import { connectNats } from '../../src/nats/connection';
import { credentialsDirFor, writeNkeyCredentials } from '../../src/nats/credentials';
import { findBinary, REPO_ROOT } from '../support/proc';
import { natsServerBinary, startNatsServer, type NatsServerHandle } from '../support/servers';
import { silentLogger } from './notifier-fixtures';

const logger = silentLogger();
const SERVER_CONFIGS = ['single.conf', 'cluster-1.conf', 'cluster-2.conf', 'cluster-3.conf'];
let dir: string;
let cert: string;
let key: string;

function openssl(): string {
  const binary = findBinary('openssl', ['/usr/bin']);
  if (!binary) throw new Error('openssl not found (it makes the test certificate): apt-get install -y openssl');
  return binary;
}

/** Checks a config with `nats-server -t`, with the given environment; returns the exit status and output. */
function checkConfig(file: string, env: Record<string, string>): { status: number | null; output: string } {
  const { PATH, HOME } = process.env;
  const r = spawnSync(natsServerBinary(), ['-t', '-c', file], {
    env: { PATH: PATH ?? '', HOME: HOME ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'case-nats-deploy-'));
  for (const f of readdirSync(join(REPO_ROOT, 'deploy', 'nats'))) {
    if (f.endsWith('.conf')) copyFileSync(join(REPO_ROOT, 'deploy', 'nats', f), join(dir, f));
  }
  writeNkeyCredentials(join(dir, 'auth.conf'), identities({ stream: 'CASES' }));
  cert = join(dir, 'server.pem');
  key = join(dir, 'server-key.pem');
  execFileSync(
    openssl(),
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The TLS settings a server of `conf` reads from its environment: client TLS, and route TLS for a cluster node. */
function tlsEnv(conf: string): Record<string, string> {
  const client = { NATS_TLS_CERT: cert, NATS_TLS_KEY: key };
  // The test certificate is self-signed: it is its own CA.
  return conf.startsWith('cluster-')
    ? { ...client, NATS_ROUTE_CERT: cert, NATS_ROUTE_KEY: key, NATS_ROUTE_CA: cert }
    : client;
}

describe('deploy/nats configs', () => {
  it.each(SERVER_CONFIGS)('%s is valid with the generated authorization and TLS files', (conf) => {
    const r = checkConfig(join(dir, conf), tlsEnv(conf));
    expect(r).toMatchObject({ status: 0 });
  });

  it.each(SERVER_CONFIGS.filter((c) => c.startsWith('cluster-')))(
    '%s refuses to start without TLS on its routes',
    (conf) => {
      const noRouteTls = checkConfig(join(dir, conf), { NATS_TLS_CERT: cert, NATS_TLS_KEY: key });
      expect(noRouteTls.status).not.toBe(0);
      expect(noRouteTls.output).toMatch(/NATS_ROUTE_CERT/);
    },
  );

  it.each(SERVER_CONFIGS)('%s refuses to start without TLS settings or without the authorization', (conf) => {
    const noTls = checkConfig(join(dir, conf), {});
    expect(noTls.status).not.toBe(0);
    expect(noTls.output).toMatch(/NATS_TLS_CERT/);
    rmSync(join(dir, 'auth.conf.bak'), { force: true });
    copyFileSync(join(dir, 'auth.conf'), join(dir, 'auth.conf.bak'));
    rmSync(join(dir, 'auth.conf'));
    try {
      const noAuth = checkConfig(join(dir, conf), tlsEnv(conf));
      expect(noAuth.status).not.toBe(0);
      expect(noAuth.output).toMatch(/auth\.conf/);
    } finally {
      copyFileSync(join(dir, 'auth.conf.bak'), join(dir, 'auth.conf'));
    }
  });
});

describe('a server with the shared client access (TLS, NKEY users)', () => {
  let server: NatsServerHandle;
  const seed = (name: string) => join(credentialsDirFor(join(dir, 'auth.conf')), `${name}.nk`);

  beforeAll(async () => {
    // In production the certificate paths come from the server's environment (checked above with -t); the test
    // harness starts servers with its own environment, so here they are written into a copy of the same file.
    const shared = readFileSync(join(dir, 'client-access.conf'), 'utf8');
    const withPaths = shared
      .replace('$NATS_TLS_CERT', JSON.stringify(cert))
      .replace('$NATS_TLS_KEY', JSON.stringify(key));
    expect(withPaths).not.toBe(shared);
    writeFileSync(join(dir, 'client-access-test.conf'), withPaths);
    const configFile = join(dir, 'test-server.conf');
    writeFileSync(configFile, 'include ./client-access-test.conf\n');
    server = await startNatsServer({ configFile, storeDir: join(dir, 'js') });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('lets an identity in over TLS with its seed and the CA it trusts', async () => {
    const nc = await connectNats(
      { NATS_URL: [server.url], NATS_NKEY_SEED_FILE: seed('admin'), NATS_TLS_CA_FILE: cert },
      { name: 'deploy-test-admin', logger },
    );
    try {
      expect(nc.info?.tls_required).toBe(true);
      await jetstream(nc)
        .publish('probe.x', 'x')
        .catch(() => undefined); // no stream: just a round trip
      expect(await nc.rtt()).toBeGreaterThanOrEqual(0);
    } finally {
      await nc.close();
    }
  });

  it('refuses a client that does not trust the CA, and a key it does not know', async () => {
    await expect(
      connectNats(
        { NATS_URL: [server.url], NATS_NKEY_SEED_FILE: seed('admin') },
        { name: 'deploy-test-untrusting', logger },
      ),
    ).rejects.toThrow(/certificate|self.signed/i);
    const stranger = join(dir, 'stranger.nk');
    writeFileSync(stranger, new TextDecoder().decode(nkeys.createUser().getSeed()), { mode: 0o600 });
    await expect(
      connectNats(
        { NATS_URL: [server.url], NATS_NKEY_SEED_FILE: stranger, NATS_TLS_CA_FILE: cert },
        { name: 'deploy-test-stranger', logger },
      ),
    ).rejects.toThrow(/Authorization Violation/i);
  });
});
