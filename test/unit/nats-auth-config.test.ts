import { AuthConfigError, agencyPermissions, renderNatsAuthConfig } from '../../src/nats/auth-config';

const pw = (name: string) => `${name}-0123456789abcdef`;

describe('renderNatsAuthConfig', () => {
  const text = renderNatsAuthConfig({
    users: {
      orchestrator: pw('orch'),
      notifier: pw('notif'),
      admin: pw('admin'),
      agencies: { POLICE: pw('police'), JUDICIARY: pw('judiciary') },
    },
    storeDir: '/var/lib/nats',
    listen: '0.0.0.0:4222',
  });

  it('enables JetStream with the store dir and listen address', () => {
    expect(text).toContain('listen: "0.0.0.0:4222"');
    expect(text).toMatch(/jetstream \{\n\s+store_dir: "\/var\/lib\/nats"\n\}/);
  });

  it('leaves the store dir to the command line when not given (2.9 refuses it twice)', () => {
    const bare = renderNatsAuthConfig({
      users: { orchestrator: pw('o'), notifier: pw('n'), admin: pw('a'), agencies: {} },
    });
    expect(bare).toContain('jetstream: enabled');
    expect(bare).not.toContain('store_dir');
  });

  it('has one user per agency given, plus orchestrator, notifier and admin', () => {
    const users = [...text.matchAll(/user: "([^"]+)"/g)].map((m) => m[1]);
    expect(users).toEqual(['orchestrator', 'notifier', 'admin', 'agency-POLICE', 'agency-JUDICIARY']);
  });

  it('lets an agency user reach only its own consumer and inbox', () => {
    const block = text.slice(text.indexOf('user: "agency-POLICE"'), text.indexOf('user: "agency-JUDICIARY"'));
    expect(block).toContain(
      'publish: { allow: ["$JS.API.INFO", "$JS.API.CONSUMER.INFO.CASES.agency-POLICE", ' +
        '"$JS.API.CONSUMER.MSG.NEXT.CASES.agency-POLICE", "$JS.ACK.CASES.agency-POLICE.>"] }',
    );
    expect(block).toContain('subscribe: { allow: ["_INBOX_POLICE.>"] }');
    expect(block).not.toMatch(/"cases\.|_INBOX\.>|JUDICIARY/);
  });

  it('lets only the orchestrator publish case events', () => {
    const publishers = [...text.matchAll(/user: "([^"]+)"[\s\S]*?publish: \{ allow: \[([^\]]*)\]/g)]
      .filter((m) => m[2]?.includes('"cases.>"') || m[2]?.includes('">"'))
      .map((m) => m[1]);
    expect(publishers).toEqual(['orchestrator', 'admin']);
  });

  it('follows the stream name', () => {
    expect(agencyPermissions('POLICE', 'CASES_TEST').publish).toContain('$JS.ACK.CASES_TEST.agency-POLICE.>');
  });

  it('refuses weak or unquotable passwords, without echoing them', () => {
    const attempt = (password: string) => () =>
      renderNatsAuthConfig({
        users: { orchestrator: password, notifier: pw('n'), admin: pw('a'), agencies: {} },
      });
    expect(attempt('short')).toThrow(AuthConfigError);
    expect(attempt('has"a-quote-0123456789')).toThrow(/orchestrator/);
    expect(attempt('$2a$bcrypt-looking-0123456789')).toThrow(AuthConfigError);
    try {
      attempt('short-secret!')();
    } catch (err) {
      expect((err as Error).message).not.toContain('short-secret!');
    }
  });
});
