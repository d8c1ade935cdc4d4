/**
 * Named AES-256 keys for the payload codec, with one active key id.
 *
 * Two sources, exactly one of which must be set:
 * - CODEC_KEYS=`k1:<base64>,k2:<base64>`: the LAST entry is the active key (the one new payloads are encrypted
 *   with). To rotate, append a new entry and restart; keep the old entries for as long as any history still holds
 *   payloads encrypted with them. There is deliberately no separate "active" variable: order is the whole rule.
 * - CODEC_KEY_FILE=<path> to JSON `{ "active": "k2", "keys": { "k1": "<base64>", "k2": "<base64>" } }`, for when
 *   the active key should not be the last one, or the keys come from a mounted secret.
 *
 * Every key must decode to exactly 32 bytes. Errors name the variable, the entry and the rule, and never include
 * key material: they end up in logs and terminals. There is no plaintext fallback: no keys, no process.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';

export const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Name of the development key file that `generateDevKeyFile` writes into DATA_DIR. */
export const DEV_KEY_FILE_NAME = 'codec-keys.json';

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(readonly issues: string[]) {
    super(issues.length === 1 ? `codec keyring: ${issues[0]}` : `codec keyring:\n  ${issues.join('\n  ')}`);
  }
}

const KEY_ID_RULE = 'key id must be 1-32 characters of A-Z a-z 0-9 _ -';
const keyIdSchema = z.string().regex(KEY_ID_PATTERN, KEY_ID_RULE);

// Standard base64 (what `openssl rand -base64 32` prints), padding optional. Stricter than Buffer.from, which
// silently skips invalid characters and would turn a typo into a different key.
const keyMaterialSchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'key must be base64')
  .transform((s) => Buffer.from(s, 'base64'))
  .refine((b) => b.length === KEY_BYTES, { message: `key must be base64 of exactly ${KEY_BYTES} bytes` });

const keyFileSchema = z.object({
  active: z.string({ error: 'must be a string naming one of the keys' }),
  keys: z.record(z.string(), z.string({ error: 'must be a base64 string' }), {
    error: 'must be an object of key id to base64 key',
  }),
});

/** Messages from our own schemas only: they describe the rule, never the rejected input. */
function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}

/**
 * Immutable set of keys. Key bytes live in KeyObjects held in a private field, so that logging, inspecting or
 * JSON-serializing a Keyring shows ids only.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(
    keys: ReadonlyMap<string, KeyObject>,
    readonly activeKeyId: string,
  ) {
    this.#keys = keys;
  }

  /**
   * Builds a keyring from raw keys (tests, key generation). Throws KeyringError on a bad id, a key that is not
   * 32 bytes, or an active id that is not among the keys.
   */
  static fromKeys(keys: Record<string, Uint8Array>, activeKeyId: string, source = 'keyring'): Keyring {
    const issues: string[] = [];
    const map = new Map<string, KeyObject>();
    for (const [id, bytes] of Object.entries(keys)) {
      if (!KEY_ID_PATTERN.test(id)) issues.push(`${source}: ${KEY_ID_RULE}`);
      else if (bytes.length !== KEY_BYTES) issues.push(`${source} key "${id}": must be exactly ${KEY_BYTES} bytes`);
      else map.set(id, createSecretKey(bytes)); // copies the bytes into the KeyObject
    }
    if (map.size === 0 && issues.length === 0) issues.push(`${source}: no keys`);
    if (issues.length === 0 && !map.has(activeKeyId)) {
      issues.push(
        `${source}: active key ${describeId(activeKeyId)} is not one of the keys (${[...map.keys()].join(', ')})`,
      );
    }
    if (issues.length > 0) throw new KeyringError(issues);
    return new Keyring(map, activeKeyId);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The key for an id, or undefined. */
  get(id: string): KeyObject | undefined {
    return this.#keys.get(id);
  }

  /** The key new payloads are encrypted with. */
  get activeKey(): KeyObject {
    const key = this.#keys.get(this.activeKeyId);
    // fromKeys guarantees this; the check keeps noUncheckedIndexedAccess honest without a non-null assertion.
    if (!key) throw new KeyringError([`active key "${this.activeKeyId}" missing`]);
    return key;
  }

  /** Same keys, another active one: what a rotation looks like after a restart with an updated config. */
  withActive(activeKeyId: string): Keyring {
    if (!this.#keys.has(activeKeyId)) {
      throw new KeyringError([`active key ${describeId(activeKeyId)} is not one of the keys (${this.ids.join(', ')})`]);
    }
    return new Keyring(this.#keys, activeKeyId);
  }

  toJSON(): { activeKeyId: string; ids: string[] } {
    return { activeKeyId: this.activeKeyId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `Keyring { active: ${this.activeKeyId}, ids: [${this.ids.join(', ')}] }`;
  }
}

/** Quotes an id that passed the id rule; anything else might be misplaced key material, so it is not echoed. */
function describeId(id: string): string {
  return KEY_ID_PATTERN.test(id) ? `"${id}"` : '(not a valid key id)';
}

/** Parses one id/key pair; pushes a message naming `where` and the rule on failure. */
function parseEntry(id: string, material: string, where: string, issues: string[]): [string, Buffer] | undefined {
  const idResult = keyIdSchema.safeParse(id);
  if (!idResult.success) {
    // The "id" may be a key pasted in the wrong place: say which entry, not what it holds.
    issues.push(`${where}: ${firstMessage(idResult.error)}`);
    return undefined;
  }
  const keyResult = keyMaterialSchema.safeParse(material);
  if (!keyResult.success) {
    issues.push(`${where} (id "${id}"): ${firstMessage(keyResult.error)}`);
    return undefined;
  }
  return [id, keyResult.data];
}

function build(entries: [string, Buffer][], activeKeyId: string, source: string): Keyring {
  const keys: Record<string, Uint8Array> = {};
  for (const [id, bytes] of entries) keys[id] = bytes;
  try {
    return Keyring.fromKeys(keys, activeKeyId, source);
  } finally {
    // KeyObjects hold their own copy; do not leave decoded key bytes lying around in the heap longer than needed.
    for (const [, bytes] of entries) bytes.fill(0);
  }
}

/** Parses CODEC_KEYS (`id:base64,id:base64`); the last entry is active. */
export function parseKeyList(value: string, variable = 'CODEC_KEYS'): Keyring {
  const issues: string[] = [];
  const entries: [string, Buffer][] = [];
  const seen = new Set<string>();
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new KeyringError([`${variable}: must list at least one id:base64 entry`]);
  parts.forEach((part, i) => {
    const where = `${variable} entry ${i + 1}`;
    const colon = part.indexOf(':');
    if (colon < 0) {
      issues.push(`${where}: must be id:base64`);
      return;
    }
    const entry = parseEntry(part.slice(0, colon).trim(), part.slice(colon + 1).trim(), where, issues);
    if (!entry) return;
    if (seen.has(entry[0])) {
      issues.push(`${where}: duplicate key id "${entry[0]}"`);
      entry[1].fill(0);
      return;
    }
    seen.add(entry[0]);
    entries.push(entry);
  });
  if (issues.length > 0) {
    for (const [, bytes] of entries) bytes.fill(0);
    throw new KeyringError(issues);
  }
  const last = entries[entries.length - 1];
  if (!last) throw new KeyringError([`${variable}: must list at least one id:base64 entry`]);
  return build(entries, last[0], variable);
}

/** Parses the JSON of a key file. `source` names it in messages (for example `CODEC_KEY_FILE (/run/keys.json)`). */
export function parseKeyFile(text: string, source = 'CODEC_KEY_FILE'): Keyring {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's SyntaxError quotes the text around the error, which may be key material: keep it out.
    throw new KeyringError([`${source}: not valid JSON`]);
  }
  const shape = keyFileSchema.safeParse(json);
  if (!shape.success) {
    throw new KeyringError(
      shape.error.issues.map((i) => {
        // Paths under "keys" end in a key id, which may be anything; name the field only.
        const field = i.path[0] === undefined ? '' : ` field "${String(i.path[0])}"`;
        return `${source}${field}: ${i.message}`;
      }),
    );
  }
  const issues: string[] = [];
  const entries: [string, Buffer][] = [];
  Object.entries(shape.data.keys).forEach(([id, material], i) => {
    const entry = parseEntry(id, material, `${source} keys entry ${i + 1}`, issues);
    if (entry) entries.push(entry);
  });
  if (!KEY_ID_PATTERN.test(shape.data.active)) issues.push(`${source} field "active": ${KEY_ID_RULE}`);
  if (issues.length > 0) {
    for (const [, bytes] of entries) bytes.fill(0);
    throw new KeyringError(issues);
  }
  return build(entries, shape.data.active, source);
}

export function loadKeyFile(path: string): Keyring {
  const source = `CODEC_KEY_FILE (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new KeyringError([`${source}: cannot read the file (${code})`]);
  }
  return parseKeyFile(text, source);
}

/** The keyring from configuration. Exactly one of CODEC_KEYS and CODEC_KEY_FILE must be set. */
export function loadKeyring(config: { CODEC_KEYS?: string | undefined; CODEC_KEY_FILE?: string | undefined }): Keyring {
  if (config.CODEC_KEYS && config.CODEC_KEY_FILE) {
    // Refuse rather than pick one: a silent preference is how a stale key ends up active.
    throw new KeyringError(['set only one of CODEC_KEYS and CODEC_KEY_FILE']);
  }
  if (config.CODEC_KEYS) return parseKeyList(config.CODEC_KEYS);
  if (config.CODEC_KEY_FILE) return loadKeyFile(config.CODEC_KEY_FILE);
  throw new KeyringError([
    'no encryption keys: set CODEC_KEYS (id:base64,...) or CODEC_KEY_FILE; payloads are never sent unencrypted',
  ]);
}

/**
 * For the demo and local development only: makes sure `<dataDir>/codec-keys.json` exists, creating it with one
 * random key (file mode 0600, directory 0700) if it does not. An existing file is left untouched, so payloads
 * written by earlier runs stay readable. The caller points CODEC_KEY_FILE at the returned path and tells the user
 * when a key was generated.
 */
export function generateDevKeyFile(dataDir: string): { path: string; created: boolean } {
  const dir = resolve(dataDir);
  const path = join(dir, DEV_KEY_FILE_NAME);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = `dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  const key = randomBytes(KEY_BYTES);
  const text = `${JSON.stringify({ active: id, keys: { [id]: key.toString('base64') } }, null, 2)}\n`;
  key.fill(0);
  try {
    // 'wx' fails if the file exists, so two processes starting at once cannot overwrite each other's key.
    writeFileSync(path, text, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    return { path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { path, created: false };
    throw err;
  }
}
