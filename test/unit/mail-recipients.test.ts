import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandCatalogue } from '../../src/domain/catalogue';
import { ConfigError } from '../../src/config';
import { parseStaffDirectory } from '../../src/mail/directory';
import { recipientsOf } from '../../src/mail/recipients';
import { dayIn, nextDigestAt } from '../../src/mail/digest';
import { loadMailConfig } from '../../src/mail/config';

const directory = parseStaffDirectory(
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'identity', 'staff-directory.json'), 'utf8')),
);
const catalogue = commandCatalogue();
const ids = (xs: { staffId: string }[]) => xs.map((x) => x.staffId).sort();

describe('who is mailed', () => {
  it('a warrant task: the judges, not the clerks who see it but cannot decide it', () => {
    expect(
      ids(recipientsOf('JUDICIARY', { assignee: 'JUDICIARY', kind: 'decide-warrant' }, directory, catalogue)),
    ).toEqual(['judge-9']);
  });

  it('a claimed task: whoever claimed it; a task anyone may complete: the whole agency', () => {
    expect(
      ids(
        recipientsOf(
          'JUDICIARY',
          { assignee: 'JUDICIARY', kind: 'decide-warrant', staffId: 'judge-9' },
          directory,
          catalogue,
        ),
      ),
    ).toEqual(['judge-9']);
    expect(
      ids(recipientsOf('PROSECUTION', { assignee: 'PROSECUTION', kind: 'file-charges' }, directory, catalogue)),
    ).toEqual(['fiscal-017', 'fiscal-coord-02']);
    expect(
      ids(
        recipientsOf('CHILD_PROTECTION', { assignee: 'CHILD_PROTECTION', kind: 'medical-exam' }, directory, catalogue),
      ),
    ).toEqual(['social-12']);
  });

  it('an escalation: every member of the escalation agency', () => {
    expect(
      ids(recipientsOf('OVERSIGHT', { assignee: 'CHILD_PROTECTION', kind: 'accept-referral' }, directory, catalogue)),
    ).toEqual(['oversight-3']);
  });

  it('a restricted agency: only the staff cleared by name, and of them who may do the work', () => {
    const raidReport = { assignee: 'POLICE' as const, kind: 'report-raid-locations' };
    expect(ids(recipientsOf('POLICE', raidReport, directory, catalogue))).toEqual(['pol-204', 'pol-311']);
    expect(ids(recipientsOf('POLICE', raidReport, directory, catalogue, ['pol-311']))).toEqual(['pol-311']);
    // Claimed by someone not cleared (before the restriction): nobody of the agency is mailed.
    expect(recipientsOf('POLICE', { ...raidReport, staffId: 'pol-204' }, directory, catalogue, ['pol-311'])).toEqual(
      [],
    );
    // A clearance names a person of another agency: never mailed as the restricted agency's staff.
    expect(recipientsOf('POLICE', raidReport, directory, catalogue, ['judge-9'])).toEqual([]);
    expect(recipientsOf('POLICE', raidReport, directory, catalogue, [])).toEqual([]);
  });

  it('refuses a directory with a bad entry, naming the rule but not the value', () => {
    const bad = { staff: [{ staffId: 'x', agency: 'POLICE', roles: ['judge'], email: 'not-an-address' }] };
    expect(() => parseStaffDirectory(bad)).toThrow(ConfigError);
    try {
      parseStaffDirectory(bad);
    } catch (err) {
      expect((err as Error).message).toContain('staff.0.email: must be an e-mail address');
      expect((err as Error).message).not.toContain('not-an-address');
    }
  });
});

describe('digest schedule', () => {
  it('is the next 07:00 in Lima, today or tomorrow', () => {
    const before = Date.parse('2026-06-12T10:00:00Z'); // 05:00 in Lima
    expect(new Date(nextDigestAt(before, '07:00', 'America/Lima')).toISOString()).toBe('2026-06-12T12:00:00.000Z');
    const after = Date.parse('2026-06-12T13:00:00Z'); // 08:00 in Lima
    expect(new Date(nextDigestAt(after, '07:00', 'America/Lima')).toISOString()).toBe('2026-06-13T12:00:00.000Z');
    expect(dayIn(Date.parse('2026-06-13T03:00:00Z'), 'America/Lima')).toBe('2026-06-12');
  });

  it('follows daylight saving time where there is one', () => {
    expect(new Date(nextDigestAt(Date.parse('2026-03-28T12:00:00Z'), '07:00', 'Europe/Madrid')).toISOString()).toBe(
      '2026-03-29T05:00:00.000Z',
    );
  });
});

describe('mail settings', () => {
  const base = { GATEWAY_URL: 'https://cases.example.org', DATA_DIR: '/tmp/d' };
  it('is off without SMTP_URL, and plain SMTP only to a loopback sink', () => {
    expect(loadMailConfig(base, {}).smtp).toBeUndefined();
    expect(loadMailConfig(base, { SMTP_URL: 'smtp://127.0.0.1:2525' }).smtp).toMatchObject({
      secure: false,
      requireTls: false,
    });
    expect(loadMailConfig(base, { SMTP_URL: 'smtp://relay.example.org:587' }).smtp).toMatchObject({ requireTls: true });
    expect(loadMailConfig(base, { SMTP_URL: 'smtps://relay.example.org' }).smtp).toMatchObject({ secure: true });
    expect(() => loadMailConfig(base, { SMTP_URL: 'smtp://relay.example.org:25', SMTP_REQUIRE_TLS: 'false' })).toThrow(
      /SMTP_REQUIRE_TLS/,
    );
    expect(() => loadMailConfig(base, { SMTP_URL: 'smtp://user:pw@relay.example.org' })).toThrow(
      /no credentials in it/,
    );
    expect(() => loadMailConfig(base, { SMTP_URL: 'smtp://relay.example.org', SMTP_USER: 'u' })).toThrow(
      /SMTP_PASSWORD/,
    );
    expect(() => loadMailConfig(base, { MAIL_SINK_HOST: '0.0.0.0' })).toThrow(/loopback/);
  });
});
