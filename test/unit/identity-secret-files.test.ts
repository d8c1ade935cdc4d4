/**
 * The dev provider's generated secrets and signing keys: private files (600 under 700), created once and kept,
 * extended (never regenerated) when the seed gains a client, tightened when found readable by others.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  identityDir,
  jwksFile,
  loadOrCreateSecrets,
  loadOrCreateSigningKeys,
  SecretFileError,
  secretsFile,
} from '../../src/identity/secret-files';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'identity-secrets-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const mode = (file: string) => statSync(file).mode & 0o777;

describe('secrets.json', () => {
  it('is created at first start with one secret per client, a dev password and cookie keys, mode 600 under 700', () => {
    const first = loadOrCreateSecrets(dataDir, ['police-system', 'gateway-web']);
    expect(first.created).toBe(true);
    expect(Object.keys(first.value.clients)).toEqual(['police-system', 'gateway-web']);
    expect(first.value.clients['police-system']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.value.clients['police-system']).not.toBe(first.value.clients['gateway-web']);
    expect(first.value.devPassword).toMatch(/^dev-[A-Za-z0-9_-]{16}$/);
    expect(mode(secretsFile(dataDir))).toBe(0o600);
    expect(mode(identityDir(dataDir))).toBe(0o700);
  });

  it('is kept as it is on later starts', () => {
    const first = loadOrCreateSecrets(dataDir, ['police-system']);
    const text = readFileSync(secretsFile(dataDir), 'utf8');
    const again = loadOrCreateSecrets(dataDir, ['police-system']);
    expect(again).toMatchObject({ created: false, added: [], tightened: false });
    expect(again.value).toEqual(first.value);
    expect(readFileSync(secretsFile(dataDir), 'utf8')).toBe(text);
  });

  it('gains a secret for a client new in the seed, keeping the others', () => {
    const first = loadOrCreateSecrets(dataDir, ['police-system']);
    const next = loadOrCreateSecrets(dataDir, ['police-system', 'codec-server']);
    expect(next.added).toEqual(['codec-server']);
    expect(next.value.clients['police-system']).toBe(first.value.clients['police-system']);
    expect(next.value.devPassword).toBe(first.value.devPassword);
    expect(mode(secretsFile(dataDir))).toBe(0o600);
  });

  it('is set back to mode 600 when found readable by others, and says so', () => {
    loadOrCreateSecrets(dataDir, ['police-system']);
    chmodSync(secretsFile(dataDir), 0o644);
    expect(loadOrCreateSecrets(dataDir, ['police-system']).tightened).toBe(true);
    expect(mode(secretsFile(dataDir))).toBe(0o600);
  });

  it('refuses a damaged file without quoting it', () => {
    loadOrCreateSecrets(dataDir, ['police-system']);
    writeFileSync(secretsFile(dataDir), '{"version":1,"devPassword":"leaked-value-123"', { mode: 0o600 });
    expect(() => loadOrCreateSecrets(dataDir, ['police-system'])).toThrow(SecretFileError);
    expect(() => loadOrCreateSecrets(dataDir, ['police-system'])).toThrow(/remove it/);
    try {
      loadOrCreateSecrets(dataDir, ['police-system']);
    } catch (err) {
      expect((err as Error).message).not.toContain('leaked-value-123');
    }
  });
});

describe('jwks.json', () => {
  it('holds a private RS256 and a private ES256 signing key, mode 600, the same on every later start', () => {
    const first = loadOrCreateSigningKeys(dataDir);
    expect(first.created).toBe(true);
    expect(first.value.keys.map((k) => [k.kty, k.alg, k.use])).toEqual([
      ['RSA', 'RS256', 'sig'],
      ['EC', 'ES256', 'sig'],
    ]);
    for (const key of first.value.keys) expect(typeof key.d).toBe('string');
    expect(mode(jwksFile(dataDir))).toBe(0o600);
    const again = loadOrCreateSigningKeys(dataDir);
    expect(again.created).toBe(false);
    expect(again.value).toEqual(first.value);
  });
});
