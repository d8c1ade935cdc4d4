/**
 * Where the client's access tokens come from:
 * - an agency script: client credentials (CASES_CLIENT_ID and CASES_CLIENT_SECRET or CASES_CLIENT_SECRET_FILE);
 * - a person: `cases login --device` (device authorization grant), kept in a token file readable by its
 *   owner alone and renewed with its refresh token;
 * - development only: `--as <account>`, a dev account of the embedded identity provider, signed in through
 *   the real authorization-code + PKCE flow with the dev password that provider generated on this machine.
 * No secret or token is ever printed or put in an error message.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { clientCredentialsToken, OAuthError, personTokenByPassword, type TokenSet } from '../identity/dev-login';
import { discover } from '../identity/discovery';
import { requestToken } from '../identity/token-endpoint';
import type { TokenSource } from './cases-client';
import { AccessDeniedError, InvalidInputError, ServiceUnavailableError } from './errors';

/** What the gateway says about signing in (GET /v1/auth, public). */
export interface AuthConfig {
  issuer: string;
  audience: string;
  cliClientId: string;
}

/** Renew this long before expiry, so a token does not lapse in flight. */
const EARLY_MS = 30_000;

function expiresAt(t: TokenSet, now = Date.now()): number {
  return now + (t.expiresIn ?? 300) * 1000;
}

/** Turns identity-provider failures into the client's errors (exit codes 4 or 1). */
async function obtain(what: string, get: () => Promise<TokenSet>): Promise<TokenSet> {
  try {
    return await get();
  } catch (err) {
    if (err instanceof OAuthError && err.error !== 'http') {
      throw new AccessDeniedError(401, `${what}: the identity provider refused (${err.error})`);
    }
    throw new ServiceUnavailableError(`${what}: the identity provider cannot be reached`);
  }
}

/** An agency system's tokens: client credentials, renewed before they expire. */
export class ClientCredentialsTokens implements TokenSource {
  private current?: { token: string; expiresAt: number };

  constructor(
    private readonly auth: AuthConfig,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - EARLY_MS > Date.now()) return this.current.token;
    const t = await obtain(`client ${this.clientId}`, () =>
      clientCredentialsToken({
        issuer: this.auth.issuer,
        clientId: this.clientId,
        clientSecret: this.clientSecret,
        audience: this.auth.audience,
      }),
    );
    this.current = { token: t.accessToken, expiresAt: expiresAt(t) };
    return t.accessToken;
  }

  invalidate(): void {
    this.current = undefined;
  }
}

const StoredLogin = z.object({
  issuer: z.string(),
  gateway: z.string(),
  clientId: z.string(),
  accessToken: z.string(),
  expiresAt: z.number(),
  refreshToken: z.string().optional(),
});
type StoredLogin = z.infer<typeof StoredLogin>;
const TokenFile = z.object({ version: z.literal(1), logins: z.record(z.string(), StoredLogin) });
type TokenFile = z.infer<typeof TokenFile>;

/** The token file: $CASES_TOKEN_FILE, else ~/.config/case-orchestrator/tokens.json (mode 600, dir 700). */
export function tokenFilePath(env: Record<string, string | undefined>): string {
  if (env.CASES_TOKEN_FILE) return env.CASES_TOKEN_FILE;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'case-orchestrator', 'tokens.json');
}

export class TokenStore {
  constructor(readonly file: string) {}

  read(): TokenFile {
    if (!existsSync(this.file)) return { version: 1, logins: {} };
    try {
      return TokenFile.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      // A damaged file is as good as none: the next login rewrites it.
      return { version: 1, logins: {} };
    }
  }

  get(key: string): StoredLogin | undefined {
    return this.read().logins[key];
  }

  put(key: string, login: StoredLogin): void {
    const file = this.read();
    file.logins[key] = login;
    this.write(file);
  }

  remove(key?: string): number {
    const file = this.read();
    const keys = key ? [key].filter((k) => k in file.logins) : Object.keys(file.logins);
    for (const k of keys) delete file.logins[k];
    this.write(file);
    return keys.length;
  }

  private write(file: TokenFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

/** The key a login is stored under: one per gateway, plus one per dev account. */
export function loginKey(gateway: string, account?: string): string {
  return account ? `${gateway}#dev:${account}` : gateway;
}

/** Tokens of a person who signed in with `cases login`: renewed with the refresh token while it lasts. */
export class StoredTokens implements TokenSource {
  constructor(
    private readonly store: TokenStore,
    private readonly key: string,
    private readonly relogin?: () => Promise<TokenSet>,
  ) {}

  async token(): Promise<string> {
    const login = this.store.get(this.key);
    if (login && login.expiresAt - EARLY_MS > Date.now()) return login.accessToken;
    if (login?.refreshToken) {
      try {
        const doc = await discover(login.issuer);
        if (!doc.token_endpoint) throw new Error('no token endpoint');
        const t = await requestToken(
          doc.token_endpoint,
          { grant_type: 'refresh_token', refresh_token: login.refreshToken },
          { clientId: login.clientId },
        );
        this.save(login, t);
        return t.accessToken;
      } catch {
        // fall through: sign in again
      }
    }
    if (this.relogin && login) {
      const t = await this.relogin();
      this.save(login, t);
      return t.accessToken;
    }
    throw new AccessDeniedError(401, 'not signed in, or the sign-in expired: run `cases login`');
  }

  invalidate(): void {
    const login = this.store.get(this.key);
    if (login) this.store.put(this.key, { ...login, expiresAt: 0 });
  }

  private save(login: StoredLogin, t: TokenSet): void {
    this.store.put(this.key, {
      ...login,
      accessToken: t.accessToken,
      expiresAt: expiresAt(t),
      ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
    });
  }
}

/** The embedded development provider's generated secrets ($DATA_DIR/identity/secrets.json). */
const DevSecrets = z.object({ devPassword: z.string(), clients: z.record(z.string(), z.string()) });

export function readDevSecrets(dataDir: string): z.infer<typeof DevSecrets> {
  const file = join(dataDir, 'identity', 'secrets.json');
  if (!existsSync(file)) {
    throw new InvalidInputError(
      `--as is a development convenience: it needs the embedded identity provider's ${file} (npm run stack:up starts it)`,
    );
  }
  const parsed = DevSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new InvalidInputError(`${file}: not the embedded provider's secrets file`);
  return parsed.data;
}

/** The CLI's registered loopback redirect: nothing listens there, the dev flow reads the code from it. */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';

/** Development only: a dev account's token, through the real authorization-code + PKCE flow. */
export function devAccountLogin(auth: AuthConfig, account: string, password: string): () => Promise<TokenSet> {
  return () =>
    obtain(`dev account ${account}`, () =>
      personTokenByPassword({
        issuer: auth.issuer,
        clientId: auth.cliClientId,
        redirectUri: CLI_REDIRECT_URI,
        account,
        password,
        audience: auth.audience,
      }),
    );
}

export function storedLoginOf(auth: AuthConfig, gateway: string, t: TokenSet, clientId: string): StoredLogin {
  return {
    issuer: auth.issuer,
    gateway,
    clientId,
    accessToken: t.accessToken,
    expiresAt: expiresAt(t),
    ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
  };
}

/** Reads the gateway's sign-in settings (public route). */
export async function fetchAuthConfig(gateway: string): Promise<AuthConfig> {
  let res: Response;
  try {
    res = await fetch(`${gateway.replace(/\/+$/, '')}/v1/auth`, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new ServiceUnavailableError(`cannot reach the gateway at ${gateway}`);
  }
  if (!res.ok) throw new ServiceUnavailableError(`the gateway at ${gateway} answered ${res.status} to /v1/auth`);
  return (await res.json()) as AuthConfig;
}

/** Development only: a dev account's tokens kept in memory (the demo and tests sign in several people at once). */
export class DevAccountTokens implements TokenSource {
  private current?: { token: string; expiresAt: number };
  private readonly login: () => Promise<TokenSet>;

  constructor(auth: AuthConfig, account: string, password: string) {
    this.login = devAccountLogin(auth, account, password);
  }

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - EARLY_MS > Date.now()) return this.current.token;
    const t = await this.login();
    this.current = { token: t.accessToken, expiresAt: expiresAt(t) };
    return t.accessToken;
  }

  invalidate(): void {
    this.current = undefined;
  }
}
