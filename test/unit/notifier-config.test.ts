import { ConfigError } from '../../src/config';
import { AGENCIES } from '../../src/domain/agencies';
import { loadNotifierConfig } from '../../src/notifier/config';

const SECRET = 'a-long-enough-webhook-secret';

function issues(env: Record<string, string>): string[] {
  try {
    loadNotifierConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadNotifierConfig', () => {
  it('defaults to every agency, no webhooks, a week of dedupe marks', () => {
    const c = loadNotifierConfig({});
    expect(c.agencies).toEqual([...AGENCIES]);
    expect(c.webhooks).toEqual({});
    expect(c.seenTtlMs).toBe(7 * 24 * 3_600_000);
    expect(c.webhookAttempts).toBe(3);
  });

  it('reads one webhook and secret per agency', () => {
    const c = loadNotifierConfig({
      NOTIFIER_AGENCIES: 'POLICE, JUDICIARY',
      NOTIFIER_WEBHOOK_POLICE: 'https://police.example/hook',
      NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET,
    });
    expect(c.agencies).toEqual(['POLICE', 'JUDICIARY']);
    expect(c.webhooks.POLICE?.url.href).toBe('https://police.example/hook');
    expect(c.webhooks.POLICE?.secret).toBe(SECRET);
    expect(c.webhooks.JUDICIARY).toBeUndefined();
  });

  it('refuses a webhook without a secret, a short secret, a non-http URL and an unknown agency', () => {
    expect(issues({ NOTIFIER_WEBHOOK_POLICE: 'https://p.example/h' })).toEqual([
      'NOTIFIER_WEBHOOK_SECRET_POLICE: required when NOTIFIER_WEBHOOK_POLICE is set',
    ]);
    expect(
      issues({ NOTIFIER_WEBHOOK_POLICE: 'https://p.example/h', NOTIFIER_WEBHOOK_SECRET_POLICE: 'short' })[0],
    ).toMatch(/NOTIFIER_WEBHOOK_SECRET_POLICE: must be at least 16/);
    expect(issues({ NOTIFIER_WEBHOOK_POLICE: 'ftp://p.example/h', NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET })[0]).toMatch(
      /NOTIFIER_WEBHOOK_POLICE: must be an http\(s\) URL/,
    );
    expect(issues({ NOTIFIER_AGENCIES: 'POLICE,INTERPOL' })[0]).toMatch(/^NOTIFIER_AGENCIES/);
    expect(issues({ NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET })).toEqual([
      'NOTIFIER_WEBHOOK_SECRET_POLICE: set without NOTIFIER_WEBHOOK_POLICE',
    ]);
  });

  it('never puts a secret in an error message', () => {
    const all = issues({ NOTIFIER_WEBHOOK_POLICE: 'not a url', NOTIFIER_WEBHOOK_SECRET_POLICE: 'short-secret' });
    expect(all.join('\n')).not.toContain('short-secret');
  });
});
