import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  DEV_KEY_FILE_NAME,
  generateDevKeyFile,
  Keyring,
  KeyringError,
  loadKeyFile,
  loadKeyring,
  parseKeyFile,
  parseKeyList,
} from '../../src/temporal/keyring';

const key = (fill: number, bytes = 32): string => Buffer.alloc(bytes, fill).toString('base64');
// Distinctive key material, so a leak into a message is easy to spot.
const SECRET = Buffer.from('0123456789abcdefghijklmnopqrstuv').toString('base64');

function keyringError(fn: () => unknown): KeyringError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyringError);
    return err as KeyringError;
  }
  throw new Error('expected a KeyringError');
}

function expectNoSecret(err: Error, secrets: string[] = [SECRET]): void {
  for (const s of secrets) {
    expect(err.message).not.toContain(s);
    // Neither a prefix of it (messages that quote "the first few characters" leak too).
    expect(err.message).not.toContain(s.slice(0, 8));
  }
}

describe('CODEC_KEYS', () => {
  it('parses entries; the last one is active', () => {
    const ring = parseKeyList(`k1:${key(1)}, k2:${SECRET}`);
    expect(ring.ids).toEqual(['k1', 'k2']);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.get('k1')?.symmetricKeySize).toBe(32);
  });

  it('rejects a key of the wrong length, naming the entry and the rule but not the key', () => {
    const short = key(7, 16);
    const err = keyringError(() => parseKeyList(`k1:${SECRET},k2:${short}`));
    expect(err.message).toContain('CODEC_KEYS entry 2 (id "k2")');
    expect(err.message).toContain('exactly 32 bytes');
    expectNoSecret(err, [SECRET, short]);
  });

  it('rejects bad base64 without echoing it', () => {
    const bad = `${SECRET.slice(0, 20)}!!${SECRET.slice(22)}`;
    const err = keyringError(() => parseKeyList(`k1:${bad}`));
    expect(err.message).toContain('CODEC_KEYS entry 1 (id "k1"): key must be base64');
    expectNoSecret(err, [bad]);
  });

  it('does not echo an entry without an id (a bare key)', () => {
    const err = keyringError(() => parseKeyList(SECRET));
    expect(err.message).toContain('CODEC_KEYS entry 1: must be id:base64');
    expectNoSecret(err);
  });

  it('does not echo an invalid id, which may be a key pasted the wrong way round', () => {
    const err = keyringError(() => parseKeyList(`${SECRET}:k1`));
    expect(err.message).toContain('key id must be 1-32 characters');
    expectNoSecret(err);
  });

  it('rejects duplicate ids and an empty list', () => {
    expect(keyringError(() => parseKeyList(`a:${key(1)},a:${key(2)}`)).message).toContain('duplicate key id "a"');
    expect(keyringError(() => parseKeyList(' , ')).message).toContain('at least one');
  });
});

describe('key file', () => {
  it('parses active and keys', () => {
    const ring = parseKeyFile(JSON.stringify({ active: 'k1', keys: { k1: key(1), k2: key(2) } }));
    expect(ring.activeKeyId).toBe('k1');
    expect(ring.ids).toEqual(['k1', 'k2']);
  });

  it('rejects an active id that is not among the keys', () => {
    const err = keyringError(() => parseKeyFile(JSON.stringify({ active: 'k3', keys: { k1: SECRET } })));
    expect(err.message).toContain('active key "k3" is not one of the keys (k1)');
    expectNoSecret(err);
  });

  it('rejects a missing active field', () => {
    const err = keyringError(() => parseKeyFile(JSON.stringify({ keys: { k1: SECRET } })));
    expect(err.message).toContain('field "active"');
    expectNoSecret(err);
  });

  it('names the entry and rule for a wrong-length key', () => {
    const err = keyringError(() => parseKeyFile(JSON.stringify({ active: 'k1', keys: { k1: key(1, 31) } })));
    expect(err.message).toMatch(/keys entry 1 \(id "k1"\): key must be base64 of exactly 32 bytes/);
  });

  it('does not quote the file when the JSON is broken', () => {
    const err = keyringError(() => parseKeyFile(`{ "active": "k1", "keys": { "k1": "${SECRET}" `));
    expect(err.message).toBe('codec keyring: CODEC_KEY_FILE: not valid JSON');
  });

  it('reports an unreadable file by path and error code', () => {
    const err = keyringError(() => loadKeyFile('/nonexistent/keys.json'));
    expect(err.message).toContain('CODEC_KEY_FILE (/nonexistent/keys.json): cannot read the file (ENOENT)');
  });
});

describe('loadKeyring', () => {
  it('refuses to run without keys: there is no plaintext mode', () => {
    expect(keyringError(() => loadKeyring({})).message).toContain('no encryption keys');
  });

  it('refuses both sources at once', () => {
    expect(keyringError(() => loadKeyring({ CODEC_KEYS: `k:${key(1)}`, CODEC_KEY_FILE: '/x' })).message).toContain(
      'only one of',
    );
  });
});

describe('Keyring', () => {
  it('never shows key material when logged, inspected or serialized', () => {
    const ring = parseKeyList(`k1:${SECRET}`);
    expect(JSON.stringify(ring)).toBe('{"activeKeyId":"k1","ids":["k1"]}');
    expect(inspect(ring)).not.toContain(SECRET.slice(0, 8));
    expect(inspect(ring, { showHidden: true, depth: 10 })).not.toContain('0123456789');
  });

  it('withActive switches the active key among existing ones only', () => {
    const ring = Keyring.fromKeys({ a: Buffer.alloc(32, 1), b: Buffer.alloc(32, 2) }, 'a');
    expect(ring.withActive('b').activeKeyId).toBe('b');
    expect(() => ring.withActive('c')).toThrow(KeyringError);
  });
});

describe('generateDevKeyFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyring-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 key file once and leaves it alone afterwards', () => {
    const dataDir = join(dir, 'data');
    const first = generateDevKeyFile(dataDir);
    expect(first).toEqual({ path: join(dataDir, DEV_KEY_FILE_NAME), created: true });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const content = readFileSync(first.path, 'utf8');
    const ring = loadKeyFile(first.path);
    expect(ring.ids).toEqual([ring.activeKeyId]);

    expect(generateDevKeyFile(dataDir)).toEqual({ path: first.path, created: false });
    expect(readFileSync(first.path, 'utf8')).toBe(content);
  });

  it('does not overwrite an existing file even if it is not ours', () => {
    const path = join(dir, DEV_KEY_FILE_NAME);
    writeFileSync(path, 'keep me');
    expect(generateDevKeyFile(dir)).toEqual({ path, created: false });
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });
});
