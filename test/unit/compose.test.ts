/**
 * The container setup, checked without a Docker engine (CI has none):
 * - the Dockerfile's shape: multi-stage, production dependencies only, non-root, every COPY source present
 *   (in the build context, not excluded by .dockerignore, or produced by an earlier stage);
 * - the compose files, resolved by `docker-compose config` (Debian's 1.29; scripts/test.sh checks the same with
 *   `config -q` and fails loudly when it is missing, here the compose cases are skipped without it): valid for
 *   every profile, secrets required rather than defaulted, each process given only the secrets it needs, ports on
 *   loopback, and every file the services mount present in deploy/;
 * - one source with the process topology (scripts/prod-local.sh): the same Temporal server configuration, fed the
 *   variables it requires by both; mTLS certificates for every Temporal client, each service holding only its own
 *   key; and the image releases pinned in scripts/versions.sh, which the tests and the toolchain run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The pinned releases (scripts/versions.sh: NAME=value lines). */
const VERSIONS: Record<string, string> = Object.fromEntries(
  [...read('scripts/versions.sh').matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
);

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions (comments dropped, continuation lines joined), grouped into stages at each FROM. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const m = /^(\w+)\s+(.*)$/s.exec(full);
    if (!m) throw new Error(`Dockerfile line ${startLine}: cannot parse "${full}"`);
    instructions.push({ keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: startLine });
  });
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot parse FROM ${ins.args}`);
      stages.push({ base: m[1] as string, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else {
      const current = stages[stages.length - 1];
      if (!current) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      current.instructions.push(ins);
    }
  }
  return stages;
}

/** COPY arguments: flags, sources, destination (JSON form or plain words). */
function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [k, v = ''] = (words.shift() as string).slice(2).split('=');
    flags[k as string] = v;
  }
  const rest = words.join(' ');
  const list: string[] = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : words;
  return { flags, sources: list.slice(0, -1), dest: list[list.length - 1] as string };
}

/** .dockerignore as regular expressions (root-anchored globs: `*` within a segment, no `**`, no negation). */
function dockerignore(): RegExp[] {
  return read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((pattern) => {
      if (pattern.startsWith('!') || pattern.includes('**'))
        throw new Error(`unsupported .dockerignore pattern ${pattern}`);
      const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c))
        .join('');
      // A pattern excludes the path itself and everything below it.
      return new RegExp(`^${body}(/.*)?$`);
    });
}

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const final = stages[stages.length - 1] as Stage;
  const finalOf = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

  it('is multi-stage, with a named build stage and a slim glibc runtime', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // The Node.js LTS release the toolchain provides and the tests run on (scripts/versions.sh).
    expect(VERSIONS.NODE_LTS_VERSION).toMatch(/^(22|24|26)\.\d+\.\d+$/);
    for (const s of stages) expect(s.base).toBe(`node:${VERSIONS.NODE_LTS_VERSION}-bookworm-slim`);
    expect(stages[0]?.name).toBe('build');
  });

  it('builds with all dependencies and ships production dependencies only', () => {
    const buildRuns = (stages[0] as Stage).instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(buildRuns).toContainEqual(expect.stringMatching(/\bnpm ci\b/));
    expect(buildRuns).toContainEqual(expect.stringMatching(/\bnpm run build\b/));
    const runs = finalOf('RUN').map((i) => i.args);
    const install = runs.find((r) => /\bnpm ci\b/.test(r));
    expect(install).toMatch(/--omit=dev\b/);
    expect(install).toMatch(/--ignore-scripts\b/);
    expect(runs.join('\n')).not.toMatch(/npm (run )?build/);
    expect(finalOf('ENV').map((i) => i.args)).toContainEqual(expect.stringMatching(/^NODE_ENV[= ]production$/));
  });

  it('runs the final stage as a non-root user', () => {
    const users = finalOf('USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1] as string;
    expect(last).not.toMatch(/^(root|0)(:|$)/);
    // Nothing after USER may need root (a RUN there would fail or, worse, be written to need it).
    const userAt = final.instructions.findIndex((i) => i.keyword === 'USER');
    expect(final.instructions.slice(userAt).filter((i) => ['RUN', 'COPY', 'ADD'].includes(i.keyword))).toEqual([]);
  });

  it('copies only what exists: context paths not excluded by .dockerignore, or earlier stages by name', () => {
    const ignored = dockerignore();
    const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } };
    expect(stages.some((s) => s.instructions.some((i) => i.keyword === 'ADD'))).toBe(false);
    stages.forEach((stage, index) => {
      const workdir = stage.instructions.find((i) => i.keyword === 'WORKDIR')?.args;
      for (const ins of stage.instructions.filter((i) => i.keyword === 'COPY')) {
        const { flags, sources } = copyParts(ins.args);
        expect(sources.length).toBeGreaterThan(0);
        if (flags.from) {
          const from = stages.findIndex((s) => s.name === flags.from);
          expect({ line: ins.line, from: flags.from, earlier: from >= 0 && from < index }).toEqual({
            line: ins.line,
            from: flags.from,
            earlier: true,
          });
          const producer = stages[from] as Stage;
          const producerDir = producer.instructions.find((i) => i.keyword === 'WORKDIR')?.args;
          for (const src of sources) {
            // The build stage's output is the compiler's outDir under its WORKDIR.
            expect(src).toBe(`${producerDir}/${tsconfig.compilerOptions.outDir}`);
          }
          continue;
        }
        for (const src of sources) {
          expect(src).not.toBe('.'); // the whole context would carry .env files, keys and local state
          const where = { line: ins.line, src };
          expect({ ...where, exists: existsSync(join(ROOT, src)) }).toEqual({ ...where, exists: true });
          expect({ ...where, ignored: ignored.some((re) => re.test(src)) }).toEqual({ ...where, ignored: false });
        }
      }
      expect(workdir).toMatch(/^\//);
    });
  });

  it('copies every directory the production build compiles (benchmarks excepted: not shipped)', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const copied = (stages[0] as Stage).instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => copyParts(i.args).sources);
    for (const dir of build.include.filter((d) => d !== 'bench')) expect(copied).toContain(dir);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json']));
  });

  it('starts and health-checks compiled entry points that exist in the source', () => {
    const commands = [...finalOf('CMD'), ...finalOf('HEALTHCHECK')].map((i) => i.args);
    const scripts = commands.flatMap((c) => [...c.matchAll(/"dist\/([\w/.-]+)\.js"/g)].map((m) => m[1] as string));
    expect(scripts).toEqual(expect.arrayContaining(['workers/orchestrator', 'src/metrics/healthcheck']));
    for (const s of scripts) expect(existsSync(join(ROOT, `${s}.ts`))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Compose files

const COMPOSE = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const HAVE_COMPOSE = COMPOSE.status === 0;
const withCompose = HAVE_COMPOSE ? describe : describe.skip;
if (!HAVE_COMPOSE) {
  process.stderr.write(
    'compose.test.ts: docker-compose not found; compose checks skipped (scripts/test.sh requires it)\n',
  );
}

/** Placeholders, obviously not secrets, so that the required-variable checks pass. */
const PLACEHOLDERS = {
  POSTGRES_PASSWORD: 'placeholder-postgres-password',
  CODEC_KEYS: 'placeholder-codec-keys',
  CODEC_OIDC_CLIENT_SECRET: 'placeholder-codec-oidc-secret',
  KEYCLOAK_ADMIN_PASSWORD: 'placeholder-keycloak-admin',
  KEYCLOAK_PUBLIC_URL: 'https://id.example.org',
};

let envDir: string;
let emptyEnvFile: string;

/** `docker-compose -f file [--profile p] config`, with only PATH and `env` in the environment and no .env file. */
function composeConfig(file: string, opts: { profile?: string; env?: Record<string, string>; envFile?: string } = {}) {
  const args = ['--env-file', opts.envFile ?? emptyEnvFile, '-f', file];
  if (opts.profile) args.push('--profile', opts.profile);
  args.push('config');
  const res = spawnSync('docker-compose', args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(opts.env ?? {}) },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** The resolved config's service blocks (docker-compose prints YAML with two-space indentation, sorted keys). */
function services(yaml: string): Record<string, string> {
  const section = /^services:\n([\s\S]*?)(?=^\S)/m.exec(`${yaml}\n~`)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const block of section.split(/^(?= {2}\S)/m)) {
    const name = /^ {2}([\w.-]+):/.exec(block)?.[1];
    if (name) out[name] = block;
  }
  return out;
}

withCompose('compose files (docker-compose config)', () => {
  beforeAll(() => {
    envDir = mkdtempSync(join(tmpdir(), 'compose-test-'));
    emptyEnvFile = join(envDir, 'empty.env');
    writeFileSync(emptyEnvFile, '');
  });
  afterAll(() => rmSync(envDir, { recursive: true, force: true }));

  it('the dev stack is valid as it is', () => {
    const res = composeConfig('docker-compose.yml');
    expect(res.stderr).not.toMatch(/ERROR/);
    expect(res.status).toBe(0);
  });

  it.each([undefined, 'nats-single', 'nats-cluster'])('the production stack is valid with profile %s', (profile) => {
    const res = composeConfig('docker-compose.prod.yml', { env: PLACEHOLDERS, ...(profile ? { profile } : {}) });
    expect(res.stderr).not.toMatch(/ERROR/);
    expect(res.status).toBe(0);
  });

  it.each(Object.keys(PLACEHOLDERS))('the production stack refuses to start without %s', (name) => {
    const env: Record<string, string> = { ...PLACEHOLDERS };
    delete env[name];
    const res = composeConfig('docker-compose.prod.yml', { env });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(`set ${name} in .env`);
  });

  it('the committed env template holds no secret values', () => {
    const res = composeConfig('docker-compose.prod.yml', { envFile: join(ROOT, 'deploy/production.env.example') });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/set POSTGRES_PASSWORD in \.env/);
    for (const line of read('deploy/production.env.example').split('\n')) {
      const m = /^(\w*(PASSWORD|KEYS|TOKEN|SECRET\w*))=(.*)$/.exec(line);
      if (m) expect({ variable: m[1], value: m[3] }).toEqual({ variable: m[1], value: '' });
    }
  });

  describe('the resolved production stack', () => {
    let svc: Record<string, string>;
    beforeAll(() => {
      const res = composeConfig('docker-compose.prod.yml', { env: PLACEHOLDERS, profile: 'nats-cluster' });
      expect(res.status).toBe(0);
      svc = services(res.stdout);
      // The single-node profile's `nats` is not in the cluster profile's output.
      const single = composeConfig('docker-compose.prod.yml', { env: PLACEHOLDERS, profile: 'nats-single' });
      svc = { ...services(single.stdout), ...svc };
    });
    /** The compose secrets a service lists. */
    const secretsOf = (name: string) =>
      [
        ...((svc[name] as string).match(/^ {4}secrets:\n((?: {4}- source: \S+\n)*)/m)?.[1] ?? '').matchAll(
          /source: (\S+)/g,
        ),
      ].map((m) => m[1] as string);
    /** One environment variable of a service, as resolved. */
    const env = (name: string, variable: string) =>
      new RegExp(`^ {6}${variable}: '?([^'\\s]+)'?$`, 'm').exec(svc[name] as string)?.[1];

    it('has every part of the production shape', () => {
      expect(Object.keys(svc).sort()).toEqual(
        [
          'codec-server',
          'gateway',
          'keycloak',
          'keycloak-db',
          'nats',
          'nats-1',
          'nats-2',
          'nats-3',
          'nats-setup',
          'notifier',
          'postgres',
          'temporal',
          'temporal-schema',
          'temporal-setup',
          'temporal-ui',
          'worker',
        ].sort(),
      );
    });

    it('runs Temporal on PostgreSQL with a schema job first and the namespace job before the workers', () => {
      expect(svc.temporal).toMatch(/image: temporalio\/server:/);
      // Our configuration (deploy/temporal mounted at /etc/temporal/case), not the image's own template.
      expect(svc.temporal).toMatch(/- \S+\/deploy\/temporal:\/etc\/temporal\/case:ro/);
      expect(svc.temporal).toMatch(
        /entrypoint:\n\s+- temporal-server\n\s+- --root=\/etc\/temporal\n\s+- --config=case\/config/,
      );
      expect(svc.temporal).toMatch(/- --env=production\n/);
      expect(existsSync(join(ROOT, 'deploy/temporal/config/production.yaml'))).toBe(true);
      expect(svc.temporal).toMatch(
        /DYNAMIC_CONFIG_FILE_PATH: \/etc\/temporal\/case\/dynamicconfig\/production-sql.yaml/,
      );
      expect(existsSync(join(ROOT, 'deploy/temporal/dynamicconfig/production-sql.yaml'))).toBe(true);
      expect(svc.temporal).toMatch(/temporal-schema:\n\s+condition: service_completed_successfully/);
      expect(svc['temporal-schema']).toMatch(/image: temporalio\/admin-tools:/);
      expect(svc['temporal-schema']).toMatch(/SQL_PLUGIN: postgres12/);
      expect(svc['temporal-setup']).toMatch(/temporal:\n\s+condition: service_healthy/);
      expect(svc.worker).toMatch(/temporal-setup:\n\s+condition: service_completed_successfully/);
      for (const job of ['temporal-schema', 'temporal-setup']) {
        const script = /\/deploy\/([\w-]+\.sh)/.exec(svc[job] as string)?.[1];
        expect(script && existsSync(join(ROOT, 'deploy/temporal', script))).toBe(true);
      }
    });

    it('wires the Web UI to the codec server, and the codec server back to the UI origin only', () => {
      expect(svc['temporal-ui']).toMatch(/image: temporalio\/ui:/);
      expect(svc['temporal-ui']).toMatch(/TEMPORAL_CODEC_ENDPOINT: http:\/\/127\.0\.0\.1:8888/);
      expect(svc['codec-server']).toMatch(/CODEC_ALLOWED_ORIGIN: http:\/\/127\.0\.0\.1:8080/);
      expect(svc['temporal-ui']).toMatch(/127\.0\.0\.1:8080:8080/);
    });

    it('builds our three processes from the Dockerfile, with the worker scalable', () => {
      for (const name of ['worker', 'notifier', 'codec-server']) {
        expect(svc[name]).toMatch(/build:\n\s+context: \S+/);
        const script = /- dist\/workers\/([\w-]+)\.js/.exec(svc[name] as string)?.[1];
        expect(script && existsSync(join(ROOT, 'workers', `${script}.ts`))).toBe(true);
      }
      expect(svc.worker).toMatch(/deploy:\n\s+replicas: 2/);
      // Scaled replicas cannot share host ports.
      expect(svc.worker).not.toMatch(/ports:/);
    });

    it('gives each process only the secrets it needs', () => {
      const has = (name: string, secret: keyof typeof PLACEHOLDERS) =>
        (svc[name] as string).includes(PLACEHOLDERS[secret]);
      expect(has('postgres', 'POSTGRES_PASSWORD')).toBe(true);
      expect(has('temporal', 'POSTGRES_PASSWORD')).toBe(true);
      expect(has('temporal-schema', 'POSTGRES_PASSWORD')).toBe(true);
      expect(has('worker', 'CODEC_KEYS')).toBe(true);
      expect(has('codec-server', 'CODEC_KEYS')).toBe(true);
      expect(has('codec-server', 'CODEC_OIDC_CLIENT_SECRET')).toBe(true);
      expect(has('gateway', 'CODEC_KEYS')).toBe(true);
      expect(has('keycloak', 'KEYCLOAK_ADMIN_PASSWORD')).toBe(true);
      for (const name of ['notifier', 'temporal-ui', 'temporal-setup', 'nats', 'nats-1']) {
        for (const secret of [
          'POSTGRES_PASSWORD',
          'CODEC_KEYS',
          'CODEC_OIDC_CLIENT_SECRET',
          'KEYCLOAK_ADMIN_PASSWORD',
        ] as const) {
          expect({ name, secret, present: has(name, secret) }).toEqual({ name, secret, present: false });
        }
      }
      for (const name of ['gateway', 'worker', 'keycloak']) expect(has(name, 'CODEC_OIDC_CLIENT_SECRET')).toBe(false);
      for (const name of ['gateway', 'worker', 'codec-server'])
        expect(has(name, 'KEYCLOAK_ADMIN_PASSWORD')).toBe(false);
      expect(has('keycloak', 'CODEC_KEYS')).toBe(false);
      expect(has('worker', 'POSTGRES_PASSWORD')).toBe(false);
      // Who trusts which issuer: the gateway and the codec server, Keycloak's realm.
      for (const name of ['gateway', 'codec-server']) {
        expect(svc[name]).toMatch(/OIDC_ISSUER: https:\/\/id\.example\.org\/realms\/case-orchestrator/);
        expect(svc[name]).toMatch(/OIDC_CLAIM_ROLES: realm_access\.roles/);
      }
      expect(svc.gateway).toMatch(/TEMPORAL_TLS_CERT: \/run\/secrets\/temporal-gateway-cert/);
    });

    it('publishes ports on loopback only, and postgres not at all', () => {
      for (const [name, block] of Object.entries(svc)) {
        // Short syntax with a host address prints as `- 127.0.0.1:8080:8080/tcp`; anything else (no address, long
        // syntax) prints differently and fails here.
        const ports = /^ {4}ports:\n((?: {4}- .*\n| {6}.*\n)*)/m.exec(block)?.[1] ?? '';
        for (const item of ports.split(/^(?= {4}- )/m).filter(Boolean)) {
          expect({ name, port: item.trim() }).toEqual({
            name,
            port: expect.stringMatching(/^- 127\.0\.0\.1:\d+:\d+\/tcp$/),
          });
        }
      }
      expect(svc['temporal-ui']).toMatch(/ports:\n {4}- 127\.0\.0\.1:8080:8080\/tcp/);
      expect(svc.postgres).not.toMatch(/ports:/);
    });

    it('exposes metrics: Temporal runtime metrics on the worker, prom-client metrics on the notifier', () => {
      expect(svc.worker).toMatch(/TEMPORAL_METRICS_ADDRESS: 0\.0\.0\.0:9464/);
      expect(svc.notifier).toMatch(/METRICS_PORT: '9465'/);
      expect(svc.notifier).toMatch(/METRICS_HOST: 0\.0\.0\.0/);
      expect(svc.temporal).toMatch(/PROMETHEUS_ENDPOINT: 0\.0\.0\.0:8000/);
    });

    it('speaks mTLS to Temporal: every client has its own certificate, and each service only its own key', () => {
      // The server: its frontend and internode certificates, the CA it checks clients against.
      expect(secretsOf('temporal').sort()).toEqual(
        [
          'tls-ca',
          'temporal-frontend-cert',
          'temporal-frontend-key',
          'temporal-internode-cert',
          'temporal-internode-key',
          'temporal-system-worker-cert',
          'temporal-system-worker-key',
        ].sort(),
      );
      // Each client: the CA, its own certificate and key, named in the variables our config, the Temporal CLI and
      // the UI server read.
      const clients: Record<string, string> = { worker: 'worker', 'temporal-ui': 'ui', 'temporal-setup': 'admin' };
      for (const [name, cert] of Object.entries(clients)) {
        const temporalSecrets = secretsOf(name).filter((x) => x.startsWith('temporal-') || x === 'tls-ca');
        expect({ name, secrets: temporalSecrets.sort() }).toEqual({
          name,
          secrets: ['tls-ca', `temporal-${cert}-cert`, `temporal-${cert}-key`].sort(),
        });
        expect(env(name, 'TEMPORAL_TLS_CA')).toBe('/run/secrets/tls-ca');
        expect(env(name, 'TEMPORAL_TLS_CERT')).toBe(`/run/secrets/temporal-${cert}-cert`);
        expect(env(name, 'TEMPORAL_TLS_KEY')).toBe(`/run/secrets/temporal-${cert}-key`);
      }
      // Nobody else holds a Temporal key.
      for (const name of ['notifier', 'codec-server', 'postgres', 'temporal-schema', 'nats', 'nats-1', 'nats-setup']) {
        const temporalSecrets = secretsOf(name).filter((x) => x.startsWith('temporal-'));
        expect({ name, secrets: temporalSecrets }).toEqual({ name, secrets: [] });
      }
    });

    it('speaks TLS to NATS, each service with an NKEY identity of its own and the servers with none', () => {
      const identities: Record<string, string> = {
        worker: 'orchestrator',
        notifier: 'notifier',
        'nats-setup': 'admin',
      };
      for (const [name, identity] of Object.entries(identities)) {
        expect({ name, url: env(name, 'NATS_URL') }).toEqual({ name, url: 'tls://nats:4222' });
        expect(env(name, 'NATS_TLS_CA_FILE')).toBe('/run/secrets/tls-ca');
        expect(env(name, 'NATS_NKEY_SEED_FILE')).toBe(`/run/secrets/nats-${identity}-seed`);
        const seeds = secretsOf(name).filter((x) => x.endsWith('-seed'));
        expect({ name, seeds }).toEqual({ name, seeds: [`nats-${identity}-seed`] });
      }
      // Services read replies under their own prefix (the users' subscribe permission), the admin anywhere.
      expect(env('worker', 'NATS_INBOX_PREFIX')).toBe('_INBOX_orchestrator');
      expect(env('notifier', 'NATS_INBOX_PREFIX')).toBe('_INBOX_notifier');
      for (const name of ['nats', 'nats-1', 'nats-2', 'nats-3']) {
        // A cluster node also holds the route certificate and the CA: the routes between nodes are mutual TLS.
        const node = name !== 'nats';
        expect({ name, secrets: secretsOf(name).sort() }).toEqual({
          name,
          secrets: node
            ? ['nats-route-cert', 'nats-route-key', 'nats-server-cert', 'nats-server-key', 'tls-ca']
            : ['nats-server-cert', 'nats-server-key'],
        });
        if (node) {
          expect(env(name, 'NATS_ROUTE_CERT')).toBe('/run/secrets/nats-route-cert');
          expect(env(name, 'NATS_ROUTE_KEY')).toBe('/run/secrets/nats-route-key');
          expect(env(name, 'NATS_ROUTE_CA')).toBe('/run/secrets/tls-ca');
          expect(svc[name]).toMatch(/\/deploy\/nats\/cluster-tls\.conf:\/etc\/nats\/cluster-tls\.conf:ro/);
        }
        expect(env(name, 'NATS_TLS_CERT')).toBe('/run/secrets/nats-server-cert');
        expect(env(name, 'NATS_TLS_KEY')).toBe('/run/secrets/nats-server-key');
        // The configuration files only: auth.conf.credentials/ (the seeds) stays out of the servers.
        expect(svc[name]).toMatch(/\/deploy\/nats\/client-access\.conf:\/etc\/nats\/client-access\.conf:ro/);
        expect(svc[name]).toMatch(/\/auth\.conf:\/etc\/nats\/auth\.conf:ro/);
        expect(svc[name]).not.toMatch(/\/deploy\/nats:\/etc\/nats/);
      }
      for (const name of ['codec-server', 'temporal', 'temporal-ui', 'postgres']) {
        expect({ name, seeds: secretsOf(name).filter((x) => x.endsWith('-seed')) }).toEqual({ name, seeds: [] });
      }
      // The streams are provisioned by the admin before the services that use them start.
      for (const name of ['worker', 'notifier'])
        expect(svc[name]).toMatch(/nats-setup:\n\s+condition: service_completed_successfully/);
      expect(svc['nats-setup']).toMatch(/- bin\/cases\n\s+- setup/);
    });

    it('takes its certificates from files deploy/tls/dev-ca.sh issues (the CA key is no secret of any service)', () => {
      const issued = read('deploy/tls/dev-ca.sh');
      const clients = /^CLIENTS=\(([^)]*)\)$/m.exec(issued)?.[1]?.split(/\s+/) ?? [];
      const names = new Set(
        ['ca', 'frontend', 'internode', 'nats-server', 'nats-route', ...clients].flatMap((n) => [
          `${n}.pem`,
          `${n}-key.pem`,
        ]),
      );
      expect(issued).toMatch(/^issue nats-server /m);
      expect(issued).toMatch(/^issue nats-route .*'extendedKeyUsage=serverAuth,clientAuth'/m);
      const top = /^secrets:\n([\s\S]*?)(?=^\S)/m.exec(
        composeConfig('docker-compose.prod.yml', { env: PLACEHOLDERS }).stdout,
      )?.[1];
      const files = [...(top ?? '').matchAll(/file: (\S+\.pem)$/gm)].map(
        (m) => (m[1] as string).split('/').pop() as string,
      );
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect({ file, issued: names.has(file) }).toEqual({ file, issued: true });
      expect(files).not.toContain('ca-key.pem');
    });

    it('runs the same Temporal configuration as the process topology, given every variable it requires', () => {
      const template = read('deploy/temporal/config/production.yaml');
      const required = [...(/range \$name := list ([^}]*)\}/.exec(template)?.[1] ?? '').matchAll(/"(\w+)"/g)].map(
        (m) => m[1] as string,
      );
      expect(required).toEqual(
        expect.arrayContaining(['POSTGRES_SEEDS', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_FRONTEND_CERT']),
      );
      const script = read('scripts/prod-local.sh');
      for (const variable of required) {
        expect({ variable, compose: new RegExp(`^ {6}${variable}: \\S`, 'm').test(svc.temporal as string) }).toEqual({
          variable,
          compose: true,
        });
        expect({ variable, prodLocal: script.includes(`"${variable}=`) }).toEqual({ variable, prodLocal: true });
      }
      expect(script).toContain('--config deploy/temporal/config --env production');
    });

    it('runs the releases the tests run (scripts/versions.sh)', () => {
      const image = (name: string) => /^ {4}image: (\S+)$/m.exec(svc[name] as string)?.[1];
      expect(image('temporal')).toBe(`temporalio/server:${VERSIONS.TEMPORAL_SERVER_VERSION}`);
      expect(image('temporal-schema')).toMatch(
        new RegExp(`^temporalio/admin-tools:${VERSIONS.TEMPORAL_SERVER_VERSION}-`),
      );
      expect(image('temporal-setup')).toBe(image('temporal-schema'));
      expect(image('temporal-ui')).toBe(`temporalio/ui:${VERSIONS.TEMPORAL_UI_SERVER_VERSION}`);
      for (const name of ['nats', 'nats-1', 'nats-2', 'nats-3']) {
        expect(image(name)).toBe(`nats:${VERSIONS.NATS_SERVER_VERSION}-alpine`);
      }
      const dev = services(composeConfig('docker-compose.yml').stdout);
      expect(/^ {4}image: (\S+)$/m.exec(dev.nats as string)?.[1]).toBe(`nats:${VERSIONS.NATS_SERVER_VERSION}-alpine`);
      expect(/^ {4}image: (\S+)$/m.exec(dev.temporal as string)?.[1]).toBe(
        `temporalio/temporal:${VERSIONS.TEMPORAL_CLI_VERSION}`,
      );
    });

    it('offers NATS as one node or a three-node cluster, both reachable as `nats`', () => {
      expect(svc.nats).toMatch(/profiles:\n\s+- nats-single/);
      expect(svc.nats).toMatch(/-c\n\s+- \/etc\/nats\/single\.conf/);
      for (const n of [1, 2, 3]) {
        const block = svc[`nats-${n}`] as string;
        expect(block).toMatch(/profiles:\n\s+- nats-cluster/);
        expect(block).toMatch(/aliases:\n\s+- nats\n/);
        expect(block).toContain(`/etc/nats/cluster-${n}.conf`);
        expect(block).toContain(`image: nats:${VERSIONS.NATS_SERVER_VERSION}-alpine`);
      }
      for (const name of ['worker', 'notifier']) expect(svc[name]).toMatch(/NATS_URL: tls:\/\/nats:4222/);
    });
  });
});

describe('NATS configs (deploy/nats)', () => {
  it('single node: JetStream on the data volume, monitoring for the health check, no cluster', () => {
    const conf = read('deploy/nats/single.conf');
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data/);
    expect(conf).toMatch(/^http:\s*0\.0\.0\.0:8222$/m);
    expect(conf).not.toMatch(/^cluster/m);
  });

  it('cluster: three uniquely named nodes, each routing to all three, one cluster name', () => {
    const confs = [1, 2, 3].map((n) => read(`deploy/nats/cluster-${n}.conf`));
    const names = confs.map((c) => /^server_name:\s*(\S+)$/m.exec(c)?.[1]);
    expect(names).toEqual(['nats-1', 'nats-2', 'nats-3']);
    for (const conf of confs) {
      expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data/);
      expect(/cluster\s*\{[\s\S]*name:\s*(\S+)/.exec(conf)?.[1]).toBe('cases');
      const routes = [...conf.matchAll(/nats-route:\/\/([\w-]+):6222/g)].map((m) => m[1]);
      expect(routes.sort()).toEqual(['nats-1', 'nats-2', 'nats-3']);
    }
  });
});
