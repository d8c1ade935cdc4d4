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
});
