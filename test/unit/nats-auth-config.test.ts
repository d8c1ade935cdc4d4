import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import {
  AuthConfigError,
  identities,
  renderAuthorization,
  renderNatsServerConfig,
  type Identity,
} from '../../src/nats/auth-config';
import { credentialsDirFor, publicKeyOfSeedFile, writeNkeyCredentials } from '../../src/nats/credentials';

const ids = identities({ stream: 'CASES' });
const byName = (name: string): Identity => {
  const id = ids.find((i) => i.name === name);
  if (!id) throw new Error(`no identity ${name}`);
  return id;
};
const publish = (name: string) => byName(name).permissions?.publish ?? [];
const subscribe = (name: string) => byName(name).permissions?.subscribe ?? [];
const nkeyOf = () => nkeys.createUser().getPublicKey();

describe('identities: each service holds only the NATS rights it uses', () => {
  it('are admin, orchestrator, notifier, gateway and one user per agency', () => {
    expect(ids.map((i) => i.name)).toEqual([
      'admin',
      'orchestrator',
      'notifier',
      'gateway',
      'agency-PROSECUTION',
      'agency-POLICE',
      'agency-JUDICIARY',
      'agency-CHILD_PROTECTION',
      'agency-OVERSIGHT',
      'agency-PARTNER',
    ]);
    expect(byName('admin').permissions).toBeUndefined();
  });

  it('let the orchestrator publish events and receive acks on its own prefix, with no JetStream API', () => {
    expect(publish('orchestrator')).toEqual(['cases.>']);
    expect(subscribe('orchestrator')).toEqual(['_INBOX_orchestrator.>']);
  });

  it('let the notifier pull and ack its own consumers and use its buckets, nothing else', () => {
    const p = publish('notifier');
    expect(p).toContain('$JS.API.CONSUMER.MSG.NEXT.CASES.agency-POLICE');
    expect(p).toContain('$JS.API.CONSUMER.MSG.NEXT.CASES.agency-CLEARED');
    expect(p).toContain('$JS.ACK.CASES.agency-CLEARED.>');
    expect(p).toContain('$KV.case-notifier-leases.>');
    expect(p).toContain('$KV.case-dead-letters.>');
    // No stream management, no consumer creation outside its own buckets, no direct reads, nothing of AUDIT.
    expect(p.filter((s) => /STREAM\.(CREATE|UPDATE|DELETE|PURGE|MSG\.DELETE)|\$JS\.API\.>|^>$/.test(s))).toEqual([]);
    expect(p.filter((s) => s.includes('CONSUMER.CREATE') && !s.includes('.KV_case-'))).toEqual([]);
    expect(p.filter((s) => /AUDIT|direct-|^cases\./.test(s))).toEqual([]);
    expect(subscribe('notifier')).toEqual(['_INBOX_notifier.>']);
  });

  it('let the gateway read and watch the inbox bucket only', () => {
    const p = publish('gateway');
    expect(p.every((s) => s.includes('KV_case-task-inbox'))).toBe(true);
    expect(p).toContain('$JS.API.DIRECT.GET.KV_case-task-inbox.>');
    expect(p).toContain('$JS.API.CONSUMER.CREATE.KV_case-task-inbox.>');
    expect(p.some((s) => s.startsWith('$KV.'))).toBe(false);
  });

  it("let an agency pull and ack its own direct consumer, on its own prefix, and nothing of the notifier's", () => {
    expect(publish('agency-POLICE')).toEqual([
      '$JS.API.CONSUMER.INFO.CASES.direct-POLICE',
      '$JS.API.CONSUMER.MSG.NEXT.CASES.direct-POLICE',
      '$JS.ACK.CASES.direct-POLICE.>',
    ]);
    expect(subscribe('agency-POLICE')).toEqual(['_INBOX_POLICE.>']);
    expect(byName('agency-POLICE').inboxPrefix).toBe('_INBOX_POLICE');
  });

  it('follow the stream name, and refuse one that is not a plain token', () => {
    expect(identities({ stream: 'CASES_T' }).find((i) => i.name === 'agency-POLICE')?.permissions?.publish).toContain(
      '$JS.ACK.CASES_T.direct-POLICE.>',
    );
    expect(() => identities({ stream: 'CASES.>' })).toThrow(AuthConfigError);
  });
});

describe('renderAuthorization', () => {
  it('lists NKEY users with their permissions, admin unrestricted', () => {
    const credentials = Object.fromEntries(ids.map((i) => [i.name, { nkey: nkeyOf() }]));
    const text = renderAuthorization(ids, credentials);
    expect(text).toMatch(/^authorization \{\n {2}users = \[/m);
    expect(text.match(/nkey: "U[A-Z2-7]{55}"/g)).toHaveLength(ids.length);
    const admin = text.slice(text.indexOf('# admin'), text.indexOf('# orchestrator'));
    expect(admin).not.toContain('permissions');
    expect(text).toContain('publish: { allow: ["cases.>"] }');
    expect(text).not.toMatch(/password/);
  });

  it('refuses a missing credential, a non-user key, and weak or unquotable passwords, without echoing them', () => {
    expect(() => renderAuthorization(ids, {})).toThrow(/no credential for admin/);
    const good = Object.fromEntries(ids.map((i) => [i.name, { nkey: nkeyOf() }]));
    expect(() => renderAuthorization(ids, { ...good, admin: { nkey: 'not-a-key' } })).toThrow(/NKEY/);
    for (const password of ['short', 'has"a-quote-0123456789', '$2a$bcrypt-looking-0123456789']) {
      const attempt = () => renderAuthorization(ids, { ...good, orchestrator: { password } });
      expect(attempt).toThrow(AuthConfigError);
      try {
        attempt();
      } catch (err) {
        expect((err as Error).message).not.toContain(password);
      }
    }
  });

  it('renders a whole server config for development, leaving the store dir to `-sd` when not given', () => {
    const credentials = Object.fromEntries(ids.map((i) => [i.name, { password: `${i.name}-0123456789abcdef` }]));
    expect(renderNatsServerConfig({ ids, credentials })).toContain('jetstream: enabled');
    expect(renderNatsServerConfig({ ids, credentials, storeDir: '/var/lib/nats', listen: '0.0.0.0:4222' })).toMatch(
      /listen: "0.0.0.0:4222"\njetstream \{\n\s+store_dir: "\/var\/lib\/nats"\n\}/,
    );
  });
});

describe('writeNkeyCredentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'case-auth-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes public keys in the authorization, seeds and env files (0600) beside it, and keeps seeds on rerun', () => {
    const file = join(dir, 'auth.conf');
    const first = writeNkeyCredentials(file, ids);
    expect(first.created).toHaveLength(ids.length);
    const creds = credentialsDirFor(file);
    const notifierSeed = join(creds, 'notifier.nk');
    expect(statSync(notifierSeed).mode & 0o777).toBe(0o600);
    expect(statSync(creds).mode & 0o777).toBe(0o700);
    const conf = readFileSync(file, 'utf8');
    expect(conf).toContain(publicKeyOfSeedFile(notifierSeed));
    expect(conf).not.toMatch(/SU[A-Z2-7]{56}/);
    expect(readFileSync(join(creds, 'notifier.env'), 'utf8')).toBe(
      `NATS_NKEY_SEED_FILE=${notifierSeed}\nNATS_INBOX_PREFIX=_INBOX_notifier\n`,
    );
    expect(readFileSync(join(creds, 'admin.env'), 'utf8')).not.toContain('NATS_INBOX_PREFIX');

    const again = writeNkeyCredentials(file, ids);
    expect(again.created).toEqual([]);
    expect(again.kept).toHaveLength(ids.length);
    expect(readFileSync(file, 'utf8')).toBe(conf);
  });
});
