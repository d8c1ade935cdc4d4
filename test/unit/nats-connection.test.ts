import { NatsCredentialsError, natsConnectionOptions } from '../../src/nats/connection';

const base = { NATS_URL: ['nats://127.0.0.1:4222'] };

describe('natsConnectionOptions', () => {
  it('reconnects forever', () => {
    const o = natsConnectionOptions(base, { name: 'orchestrator' });
    expect(o.maxReconnectAttempts).toBe(-1);
    expect(o.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(o.inboxPrefix).toBeUndefined();
  });

  it("gives an agency connection the agency's own inbox prefix", () => {
    expect(natsConnectionOptions(base, { name: 'cli', agency: 'POLICE' }).inboxPrefix).toBe('_INBOX_POLICE');
  });

  it('uses user and password, or a creds file, but not both', () => {
    const o = natsConnectionOptions(
      { ...base, NATS_USER: 'agency-POLICE', NATS_PASSWORD: 'pw-0123456789abcdef' },
      {
        name: 'cli',
      },
    );
    expect(o).toMatchObject({ user: 'agency-POLICE', pass: 'pw-0123456789abcdef' });
    expect(
      natsConnectionOptions({ ...base, NATS_CREDS_FILE: '/etc/x.creds' }, { name: 'n' }).authenticator,
    ).toBeDefined();
    expect(() =>
      natsConnectionOptions({ ...base, NATS_CREDS_FILE: '/x', NATS_USER: 'u', NATS_PASSWORD: 'p' }, { name: 'n' }),
    ).toThrow(NatsCredentialsError);
    expect(() => natsConnectionOptions({ ...base, NATS_USER: 'u' }, { name: 'n' })).toThrow(/together/);
  });

  it('uses an NKEY seed file, alone, and the identity reply prefix, from the config or the environment', () => {
    const nkey = natsConnectionOptions({ ...base, NATS_NKEY_SEED_FILE: '/run/notifier.nk' }, { name: 'n' }, {});
    expect(nkey.authenticator).toBeDefined();
    expect(() =>
      natsConnectionOptions(
        { ...base, NATS_NKEY_SEED_FILE: '/x', NATS_USER: 'u', NATS_PASSWORD: 'p' },
        { name: 'n' },
        {},
      ),
    ).toThrow(NatsCredentialsError);
    const env = { NATS_NKEY_SEED_FILE: '/run/notifier.nk', NATS_INBOX_PREFIX: '_INBOX_notifier' };
    const fromEnv = natsConnectionOptions(base, { name: 'notifier' }, env);
    expect(fromEnv.inboxPrefix).toBe('_INBOX_notifier');
    expect(fromEnv.authenticator).toBeDefined();
    // An explicit option wins over the environment.
    expect(natsConnectionOptions(base, { name: 'x', inboxPrefix: '_INBOX_gateway' }, env).inboxPrefix).toBe(
      '_INBOX_gateway',
    );
    expect(() => natsConnectionOptions(base, { name: 'n' }, { NATS_INBOX_PREFIX: '_INBOX.>' })).toThrow(
      /NATS_INBOX_PREFIX/,
    );
  });

  it('sets client TLS from the CA and certificate files', () => {
    const o = natsConnectionOptions(
      { ...base, NATS_TLS_CA_FILE: '/etc/nats/ca.pem', NATS_TLS_CERT_FILE: '/c.pem', NATS_TLS_KEY_FILE: '/k.pem' },
      { name: 'n' },
      {},
    );
    expect(o.tls).toEqual({ caFile: '/etc/nats/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' });
    expect(natsConnectionOptions(base, { name: 'n' }, {}).tls).toBeUndefined();
    expect(() => natsConnectionOptions(base, { name: 'n' }, { NATS_TLS_CERT_FILE: '/c.pem' })).toThrow(/together/);
  });
});
