/**
 * The real development identity provider for tests: the built worker (`dist/workers/identity-provider.js`) as a
 * child process on a free port with a temp data dir, plus helpers that get tokens from it over HTTP and forge bad
 * ones for attack tests. A missing or stale build is an error that says to run `npm run build`, never a skip.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { CompactSign, importJWK, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import {
  clientCredentialsToken,
  DevBrowser,
  drive,
  personTokenByPassword,
  type Step,
  type TokenSet,
} from '../../src/identity/dev-login';
import { jwksFile, secretsFile, type IdentitySecrets } from '../../src/identity/secret-files';
import type { TokenVerifierOptions } from '../../src/identity/verify';
import { freePort, isRunning, logTail, makeTempDir, REPO_ROOT, removeTempDir, terminate, waitFor } from './proc';

const WORKER = join(REPO_ROOT, 'dist', 'workers', 'identity-provider.js');
const STARTUP_TIMEOUT_MS = 30_000;
export const TEST_AUDIENCE = 'case-orchestrator';
/** A redirect URI of the CLI client: loopback, any port. Nothing listens there; dev-login reads the redirect. */
export const CLI_REDIRECT = 'http://127.0.0.1:49152/callback';

export interface IdentityProviderHandle {
  readonly issuer: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pid: number;
  /** Client secrets and the dev password, as the provider generated them (read from its secrets file). */
  readonly secrets: { clients: Record<string, string>; devPassword: string };
  /** Verifier options for this provider with the default claim mapping. */
  verifierOptions(overrides?: Partial<TokenVerifierOptions>): TokenVerifierOptions;
  /** An agency script's access token (client credentials). */
  clientToken(clientId: string): Promise<string>;
  /** A person's access token via authorization code + PKCE through the sign-in form (the CLI client by default). */
  personToken(account: string, opts?: { clientId?: string; redirectUri?: string }): Promise<string>;
  personTokens(account: string, opts?: { clientId?: string; redirectUri?: string }): Promise<TokenSet>;
  /** The provider's log so far (pino JSON lines and oidc-provider's warnings). */
  log(): string;
  /** Stops and starts the same process again: same port, same data dir. */
  restart(): Promise<void>;
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

export interface StartIdentityProviderOptions {
  /** Default: a fresh temp dir, removed by stop({ removeData: true }). */
  dataDir?: string;
  port?: number;
  /** Extra environment for the provider (CODEC_SERVER_URL, GATEWAY_URL, IDP_SEED_FILE...). */
  env?: Record<string, string>;
}

/** Throws unless dist/ has a build of the provider at least as new as its sources. */
function assertBuilt(): void {
  if (!existsSync(WORKER)) {
    throw new Error(`${WORKER} is missing: run \`npm run build\` first (the tests start the built identity provider)`);
  }
  const built = statSync(WORKER).mtimeMs;
  const sources = [
    join(REPO_ROOT, 'workers', 'identity-provider.ts'),
    ...readdirSync(join(REPO_ROOT, 'src', 'identity')).map((f) => join(REPO_ROOT, 'src', 'identity', f)),
  ];
  const newer = sources.filter((f) => {
    const js = f.replace(REPO_ROOT, join(REPO_ROOT, 'dist')).replace(/\.ts$/, '.js');
    return existsSync(js) ? statSync(f).mtimeMs > statSync(js).mtimeMs : statSync(f).mtimeMs > built;
  });
  if (newer.length > 0) {
    throw new Error(`the identity provider build is older than ${newer[0]}: run \`npm run build\``);
  }
}

/** Every provider this process started and has not stopped, killed if the test process exits early. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/** Variables the provider reads, not inherited from the developer's shell: the test sets its own. */
const OWN_VARIABLES = /^(IDP_|OIDC_|CODEC_|GATEWAY_|DATA_DIR$|LOG_LEVEL$)/;

export async function startIdentityProvider(opts: StartIdentityProviderOptions = {}): Promise<IdentityProviderHandle> {
  assertBuilt();
  const tempDir = opts.dataDir ? undefined : makeTempDir('case-idp-');
  const dataDir = opts.dataDir ?? (tempDir as string);
  const port = opts.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const logFile = join(dataDir, 'identity-provider.log');
  const env: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(process.env).filter(([k]) => !OWN_VARIABLES.test(k))) as Record<
      string,
      string
    >),
    IDP_HOST: '127.0.0.1',
    IDP_PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    IDP_SEED_FILE: join(REPO_ROOT, 'deploy', 'identity', 'dev-seed.json'),
    ...opts.env,
  };
  let pid = 0;

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(process.execPath, [WORKER], { env, stdio: ['ignore', fd, fd], cwd: REPO_ROOT });
      child.on('error', () => undefined);
      child.unref();
      if (child.pid === undefined) throw new Error('could not start the identity provider');
      pid = child.pid;
    } finally {
      closeSync(fd);
    }
    running.add(pid);
    const launched = { pid, binary: process.execPath, logFile, timeoutMs: STARTUP_TIMEOUT_MS };
    try {
      await waitFor(
        'identity provider',
        async () => {
          const res = await fetch(`${issuer}/.well-known/openid-configuration`);
          await res.body?.cancel();
          return res.ok ? true : undefined;
        },
        launched,
      );
    } catch (err) {
      await stopProcess();
      throw err;
    }
  };
  const stopProcess = async () => {
    await terminate(pid, process.execPath, 10_000);
    running.delete(pid);
  };

  await launch();
  const secrets = JSON.parse(readFileSync(secretsFile(dataDir), 'utf8')) as IdentitySecrets;
  const personTokens = (account: string, o: { clientId?: string; redirectUri?: string } = {}) => {
    const clientId = o.clientId ?? 'cases-cli';
    const clientSecret = secrets.clients[clientId];
    return personTokenByPassword({
      issuer,
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      redirectUri: o.redirectUri ?? CLI_REDIRECT,
      account,
      password: secrets.devPassword,
      audience: TEST_AUDIENCE,
    });
  };

  return {
    issuer,
    port,
    dataDir,
    logFile,
    get pid() {
      return pid;
    },
    secrets: { clients: secrets.clients, devPassword: secrets.devPassword },
    verifierOptions: (overrides = {}) => ({
      issuer,
      audience: TEST_AUDIENCE,
      algorithms: ['RS256', 'PS256', 'ES256'],
      clockToleranceSec: 5,
      claims: { agency: 'agency', staffId: 'staff_id', roles: 'roles' },
      ...overrides,
    }),
    async clientToken(clientId) {
      const clientSecret = secrets.clients[clientId];
      if (!clientSecret) throw new Error(`no secret for client ${clientId} (not a confidential client of the seed)`);
      return (await clientCredentialsToken({ issuer, clientId, clientSecret, audience: TEST_AUDIENCE })).accessToken;
    },
    personToken: async (account, o) => (await personTokens(account, o)).accessToken,
    personTokens,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async restart() {
      await stopProcess();
      await launch();
    },
    async stop({ removeData = false } = {}) {
      await stopProcess();
      if (removeData && tempDir) removeTempDir(tempDir);
    },
  };
}

/**
 * A sign-in as a browser does it, over HTTP: GET `startUrl` (e.g. the codec server's /session), follow redirects to
 * the provider, fill its sign-in form with `account` and the dev password, follow back, and stop at the first page
 * served by `startUrl`'s server (or at `stopAt`). Cookies live in `browser` (pass one in to keep a browser's state).
 */
export async function browserSignIn(
  idp: Pick<IdentityProviderHandle, 'issuer' | 'secrets'>,
  startUrl: string,
  account: string,
  opts: { browser?: DevBrowser; stopAt?: (step: Step) => boolean } = {},
): Promise<{ step: Step; browser: DevBrowser }> {
  const origin = new URL(startUrl).origin;
  const browser = opts.browser ?? new DevBrowser(origin, idp.issuer);
  const stopAt = opts.stopAt ?? ((step: Step) => step.html !== undefined && new URL(step.url).origin === origin);
  const step = await drive(
    browser,
    await browser.request(startUrl),
    startUrl,
    {
      account,
      password: idp.secrets.devPassword,
    },
    stopAt,
  );
  return { step, browser };
}

/** True while the provider process runs (for tests of its lifecycle). */
export function providerRunning(handle: IdentityProviderHandle): boolean {
  return isRunning(handle.pid, process.execPath);
}

export { logTail };

// ---- forged tokens, for attack tests ----

interface PrivateJwk extends Record<string, unknown> {
  kid: string;
  alg: 'RS256' | 'ES256';
  kty: string;
}

export interface Forge {
  /** Claims of a valid police officer's token from this provider; a base for the variants. */
  claims(overrides?: JWTPayload & Record<string, unknown>): JWTPayload;
  /** Signs with the provider's own private key (read from its data dir): only the named defect is wrong. */
  sign(claims: JWTPayload, opts?: { alg?: 'RS256' | 'ES256'; typ?: string }): Promise<string>;
  /** Signs arbitrary bytes as the payload, with the provider's key (a validly signed token that is not a JWT). */
  signBytes(payload: Uint8Array): Promise<string>;
  /** A control: correct in every respect, so a refusal of a variant is due to its defect alone. */
  valid(): Promise<string>;
  expired(): Promise<string>;
  notYetValid(): Promise<string>;
  wrongAudience(): Promise<string>;
  /** Another issuer's token, signed with that issuer's own (second) key pair. */
  otherIssuer(): Promise<string>;
  /** Another issuer's name, signed with our key: only the issuer is wrong. */
  wrongIssuer(): Promise<string>;
  /** Our issuer's name, but signed with a key that is not ours. */
  foreignKey(): Promise<string>;
  algNone(): string;
  /** The classic key-confusion attack: HS256 with the provider's RSA public key (PEM) as the HMAC secret. */
  hs256WithPublicKey(): Promise<string>;
  unknownAgency(): Promise<string>;
}

export function forgeTokens(provider: Pick<IdentityProviderHandle, 'issuer' | 'dataDir'>): Forge {
  const jwks = JSON.parse(readFileSync(jwksFile(provider.dataDir), 'utf8')) as { keys: PrivateJwk[] };
  const rsa = jwks.keys.find((k) => k.alg === 'RS256');
  if (!rsa) throw new Error('the provider has no RS256 key');
  const keyOf = (alg: 'RS256' | 'ES256') => {
    const jwk = jwks.keys.find((k) => k.alg === alg);
    if (!jwk) throw new Error(`the provider has no ${alg} key`);
    return jwk;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const claims: Forge['claims'] = (overrides = {}) => ({
    iss: provider.issuer,
    aud: TEST_AUDIENCE,
    sub: 'c8403c59-c732-4585-80fa-2846f2167d37',
    client_id: 'cases-cli',
    agency: 'POLICE',
    staff_id: 'pol-204',
    roles: ['police-officer'],
    iat: now(),
    exp: now() + 600,
    jti: `forged-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  });
  const signWith = async (jwk: PrivateJwk, payload: JWTPayload, typ = 'at+jwt') =>
    new SignJWT(payload).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ }).sign(await importJWK(jwk, jwk.alg));
  const sign: Forge['sign'] = (payload, o = {}) => signWith(keyOf(o.alg ?? 'RS256'), payload, o.typ);
  const strangerKey = (): PrivateJwk => ({
    ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
      string,
      unknown
    >),
    kty: 'RSA',
    kid: rsa.kid,
    alg: 'RS256',
  });

  return {
    claims,
    sign,
    async signBytes(payload) {
      const jwk = keyOf('RS256');
      return new CompactSign(payload)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
        .sign(await importJWK(jwk, 'RS256'));
    },
    valid: () => sign(claims()),
    expired: () => sign(claims({ iat: now() - 3600, exp: now() - 1800 })),
    notYetValid: () => sign(claims({ nbf: now() + 1800 })),
    wrongAudience: () => sign(claims({ aud: 'some-other-api' })),
    otherIssuer: () => signWith(strangerKey(), claims({ iss: 'http://127.0.0.1:1/other-issuer' })),
    wrongIssuer: () => sign(claims({ iss: 'http://127.0.0.1:1/other-issuer' })),
    foreignKey: () => signWith(strangerKey(), claims()),
    algNone: () => new UnsecuredJWT(claims()).encode(),
    async hs256WithPublicKey() {
      const publicPem = createPublicKey(createPrivateKey({ key: rsa, format: 'jwk' }))
        .export({ format: 'pem', type: 'spki' })
        .toString();
      return new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })
        .sign(new TextEncoder().encode(publicPem));
    },
    unknownAgency: () => sign(claims({ agency: 'MUNICIPALITY' })),
  };
}
