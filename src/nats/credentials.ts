/**
 * NKEY credentials for the identities of auth-config.ts. NKEYs rather than passwords: the server's config holds
 * only public keys (nothing in it lets anyone connect), and the client proves itself by signing the server's
 * nonce, so the secret never crosses the wire. Each identity gets a seed file and an env file beside it:
 *
 *   <auth.conf>.credentials/<identity>.nk    the seed (SU...), mode 0600
 *   <auth.conf>.credentials/<identity>.env   NATS_NKEY_SEED_FILE and NATS_INBOX_PREFIX for that process
 *
 * Writing again keeps every existing seed (deployed processes keep working) and adds the missing ones, so setup
 * can rerun after an upgrade to rewrite permissions.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { AuthConfigError, renderAuthorization, type Credential, type Identity } from './auth-config';

export interface WrittenCredentials {
  authorization: string;
  directory: string;
  /** Identity names whose seed was created now (the others were kept). */
  created: string[];
  kept: string[];
}

export function credentialsDirFor(authFile: string): string {
  return join(dirname(resolve(authFile)), `${basename(authFile)}.credentials`);
}

/** Reads an NKEY user seed and returns its public key; the error never echoes the file's content. */
export function publicKeyOfSeedFile(file: string): string {
  const seed = readFileSync(file, 'utf8').trim();
  if (!/^SU[A-Z2-7]{56}$/.test(seed)) throw new AuthConfigError(`${file}: not an NKEY user seed (SU...)`);
  return nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
}

export function writeNkeyCredentials(authFile: string, ids: readonly Identity[]): WrittenCredentials {
  const directory = credentialsDirFor(authFile);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  const credentials: Record<string, Credential> = {};
  const created: string[] = [];
  const kept: string[] = [];
  for (const id of ids) {
    const seedFile = join(directory, `${id.name}.nk`);
    if (existsSync(seedFile)) {
      credentials[id.name] = { nkey: publicKeyOfSeedFile(seedFile) };
      kept.push(id.name);
    } else {
      const pair = nkeys.createUser();
      writeFileSync(seedFile, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600 });
      credentials[id.name] = { nkey: pair.getPublicKey() };
      created.push(id.name);
    }
    const env = [`NATS_NKEY_SEED_FILE=${seedFile}`, ...(id.inboxPrefix ? [`NATS_INBOX_PREFIX=${id.inboxPrefix}`] : [])];
    writeFileSync(join(directory, `${id.name}.env`), `${env.join('\n')}\n`, { mode: 0o600 });
  }
  // Public keys only, but it decides who gets in: not for everyone to edit.
  writeFileSync(authFile, renderAuthorization(ids, credentials), { mode: 0o600 });
  return { authorization: resolve(authFile), directory, created, kept };
}
