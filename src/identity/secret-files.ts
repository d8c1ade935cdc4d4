/**
 * The development identity provider's generated state, under $DATA_DIR/identity (mode 700):
 * - secrets.json (mode 600): one secret per confidential client, the one dev password of all dev accounts, and the
 *   keys that sign the provider's cookies;
 * - jwks.json (mode 600): the private signing keys (RS256 and ES256), so tokens stay verifiable across restarts.
 * Both are created at first start and kept; a client added to the seed later gets its secret on the next start.
 * Files are written whole to a temporary name and renamed, so a crash never leaves half a file. Nothing here logs a
 * value: callers learn which entries were created, never what they are.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const secret = z.string().min(32).max(200);

const secretsSchema = z
  .object({
    version: z.literal(1),
    devPassword: z.string().min(12).max(200),
    clients: z.record(z.string(), secret),
    cookieKeys: z.array(secret).min(1),
  })
  .strict();
export type IdentitySecrets = z.output<typeof secretsSchema>;

const privateJwk = z
  .object({
    kty: z.enum(['RSA', 'EC']),
    kid: z.string().min(8),
    alg: z.enum(['RS256', 'ES256']),
    use: z.literal('sig'),
  })
  .passthrough()
  .refine((k) => typeof (k as Record<string, unknown>).d === 'string', 'must be a private key');
const jwksSchema = z.object({ keys: z.array(privateJwk).min(1) }).strict();
export type PrivateJwks = { keys: (z.output<typeof privateJwk> & Record<string, unknown>)[] };

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

export function identityDir(dataDir: string): string {
  return join(dataDir, 'identity');
}

export function secretsFile(dataDir: string): string {
  return join(identityDir(dataDir), 'secrets.json');
}

export function jwksFile(dataDir: string): string {
  return join(identityDir(dataDir), 'jwks.json');
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The dev password: readable enough to type, long enough not to guess (about 96 bits). */
function devPassword(): string {
  return `dev-${token(12)}`;
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function writePrivate(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Reads a file that must be private; a copy readable by others is tightened and reported. */
function readPrivate(file: string): { json: unknown; tightened: boolean } {
  const mode = statSync(file).mode & 0o777;
  const tightened = (mode & 0o077) !== 0;
  if (tightened) chmodSync(file, 0o600);
  try {
    return { json: JSON.parse(readFileSync(file, 'utf8')), tightened };
  } catch {
    throw new SecretFileError(`${file} is not JSON: remove it to have it generated again`);
  }
}

export interface Loaded<T> {
  value: T;
  /** True when the file did not exist and was written now. */
  created: boolean;
  /** Entries added to an existing file (client ids), for the log. */
  added: string[];
  /** True when the file was readable by others and its mode was set back to 600. */
  tightened: boolean;
}

/** Loads secrets.json, creating it (or the secrets of clients new in the seed) when needed. */
export function loadOrCreateSecrets(dataDir: string, clientIds: readonly string[]): Loaded<IdentitySecrets> {
  ensureDir(identityDir(dataDir));
  const file = secretsFile(dataDir);
  if (!existsSync(file)) {
    const value: IdentitySecrets = {
      version: 1,
      devPassword: devPassword(),
      clients: Object.fromEntries(clientIds.map((id) => [id, token(32)])),
      cookieKeys: [token(32)],
    };
    writePrivate(file, value);
    return { value, created: true, added: [...clientIds], tightened: false };
  }
  const { json, tightened } = readPrivate(file);
  const parsed = secretsSchema.safeParse(json);
  if (!parsed.success) {
    throw new SecretFileError(`${file} is not a valid secrets file: remove it to have it generated again`);
  }
  const value = parsed.data;
  const added = clientIds.filter((id) => value.clients[id] === undefined);
  if (added.length > 0) {
    for (const id of added) value.clients[id] = token(32);
    writePrivate(file, value);
  }
  return { value, created: false, added, tightened };
}

function newSigningKeys(): PrivateJwks {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, kty: 'RSA', kid: `rs-${token(9)}`, alg: 'RS256', use: 'sig' },
      { ...ec, kty: 'EC', kid: `es-${token(9)}`, alg: 'ES256', use: 'sig' },
    ],
  };
}

/** Loads jwks.json (private signing keys), generating an RS256 and an ES256 key at first start. */
export function loadOrCreateSigningKeys(dataDir: string): Loaded<PrivateJwks> {
  ensureDir(identityDir(dataDir));
  const file = jwksFile(dataDir);
  if (!existsSync(file)) {
    const value = newSigningKeys();
    writePrivate(file, value);
    return { value, created: true, added: value.keys.map((k) => k.kid), tightened: false };
  }
  const { json, tightened } = readPrivate(file);
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success) {
    throw new SecretFileError(`${file} is not a valid private key set: remove it to have keys generated again`);
  }
  return { value: parsed.data as PrivateJwks, created: false, added: [], tightened };
}
