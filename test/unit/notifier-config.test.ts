import { ConfigError } from '../../src/config';
import { AGENCIES } from '../../src/domain/agencies';
import { loadNotifierBucketSpec, loadNotifierConfig, webhookUrlProblem } from '../../src/notifier/config';
import { webhookSecretKey } from '../../src/notifier/standard-webhooks';

// 32 random-looking bytes, as `whsec_` + base64.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=';
const NEXT = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

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
  it('defaults to every agency and CLEARED, no webhooks, retries for 72 hours backing off to 5 minutes', () => {
    const c = loadNotifierConfig({});
    expect(c.agencies).toEqual([...AGENCIES]);
    expect(c.cleared).toBe(true);
    expect(c.webhooks).toEqual({});
    expect(c.retryHorizonMs).toBe(72 * 3_600_000);
    expect(c.retryMaxMs).toBe(5 * 60_000);
    expect(c.webhookAttempts).toBe(3);
    expect(c.buckets).toEqual({
      seenTtlMs: 7 * 24 * 3_600_000,
      deadLetterTtlMs: 30 * 24 * 3_600_000,
      deadLetterMaxBytes: 64 * 1024 * 1024,
      leaseTtlMs: 15_000,
    });
  });

  it('reads one webhook per agency with one secret, or two during a rotation (both sign)', () => {
    const c = loadNotifierConfig({
      NOTIFIER_AGENCIES: 'POLICE, JUDICIARY',
      NOTIFIER_WEBHOOK_POLICE: 'https://police.example/hook',
      NOTIFIER_WEBHOOK_SECRET_POLICE: `${SECRET} ${NEXT}`,
      NOTIFIER_WEBHOOK_JUDICIARY: 'http://127.0.0.1:9000/hook',
      NOTIFIER_WEBHOOK_SECRET_JUDICIARY: NEXT,
      NOTIFIER_RETRY_HORIZON: '24h',
    });
    expect(c.agencies).toEqual(['POLICE', 'JUDICIARY']);
    expect(c.webhooks.POLICE?.url.href).toBe('https://police.example/hook');
    expect(c.webhooks.POLICE?.keys).toEqual([webhookSecretKey(SECRET), webhookSecretKey(NEXT)]);
    expect(c.webhooks.JUDICIARY?.keys).toHaveLength(1);
    expect(c.retryHorizonMs).toBe(24 * 3_600_000);
  });

  it('refuses plain http to anything but this machine, with a message that says so', () => {
    expect(webhookUrlProblem('https://p.example/h')).toBeUndefined();
    for (const local of ['http://127.0.0.1:8080/h', 'http://localhost/h', 'http://[::1]:80/h']) {
      expect(webhookUrlProblem(local)).toBeUndefined();
    }
    expect(issues({ NOTIFIER_WEBHOOK_POLICE: 'http://p.example/h', NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET })).toEqual([
      'NOTIFIER_WEBHOOK_POLICE: must use https (plain http is allowed only for loopback receivers)',
    ]);
    expect(issues({ NOTIFIER_WEBHOOK_POLICE: 'ftp://p.example/h', NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET })[0]).toBe(
      'NOTIFIER_WEBHOOK_POLICE: must be an https URL',
    );
  });

  it('refuses a webhook without a secret, secrets not in whsec_ form, too short, or more than two', () => {
    expect(issues({ NOTIFIER_WEBHOOK_POLICE: 'https://p.example/h' })).toEqual([
      'NOTIFIER_WEBHOOK_SECRET_POLICE: required when NOTIFIER_WEBHOOK_POLICE is set',
    ]);
    const secretIssue = (secret: string) =>
      issues({ NOTIFIER_WEBHOOK_POLICE: 'https://p.example/h', NOTIFIER_WEBHOOK_SECRET_POLICE: secret })[0];
    expect(secretIssue('a-long-enough-plain-secret')).toMatch(/must start with whsec_/);
    expect(secretIssue('whsec_not*base64')).toMatch(/standard base64/);
    expect(secretIssue('whsec_c2hvcnQ=')).toMatch(/24-64 random bytes/);
    expect(secretIssue(`${SECRET} ${NEXT} ${SECRET}`)).toMatch(/two \(space-separated\) during a rotation/);
    expect(issues({ NOTIFIER_WEBHOOK_SECRET_POLICE: SECRET })).toEqual([
      'NOTIFIER_WEBHOOK_SECRET_POLICE: set without NOTIFIER_WEBHOOK_POLICE',
    ]);
    expect(issues({ NOTIFIER_AGENCIES: 'POLICE,INTERPOL' })[0]).toMatch(/^NOTIFIER_AGENCIES/);
  });

  it('refuses dedupe marks that expire before the last retry, and a horizon under a minute', () => {
    expect(issues({ NOTIFIER_RETRY_HORIZON: '10d' })).toEqual([
      'NOTIFIER_DEDUPE_TTL: must be at least NOTIFIER_RETRY_HORIZON',
    ]);
    expect(issues({ NOTIFIER_RETRY_HORIZON: '30s' })[0]).toMatch(/NOTIFIER_RETRY_HORIZON: must be at least 1m/);
    expect(issues({ NOTIFIER_RETRY_BASE: '10m', NOTIFIER_RETRY_MAX: '5m' })).toEqual([
      'NOTIFIER_RETRY_MAX: must be at least NOTIFIER_RETRY_BASE',
    ]);
  });

  it('never puts a secret in an error message', () => {
    const all = issues({ NOTIFIER_WEBHOOK_POLICE: 'not a url', NOTIFIER_WEBHOOK_SECRET_POLICE: 'short-secret' });
    expect(all.join('\n')).not.toContain('short-secret');
    const whsec = issues({
      NOTIFIER_WEBHOOK_POLICE: 'https://p.example',
      NOTIFIER_WEBHOOK_SECRET_POLICE: 'whsec_c2hvcnQ=',
    });
    expect(whsec.join('\n')).not.toContain('c2hvcnQ');
  });
});

describe('loadNotifierBucketSpec', () => {
  it('reads only the bucket limits, which setup needs without any webhook settings', () => {
    expect(
      loadNotifierBucketSpec({
        NOTIFIER_LEASE_TTL: '20s',
        NOTIFIER_DEAD_LETTER_TTL: '14d',
        NOTIFIER_WEBHOOK_POLICE: 'http://not-checked-here.example',
      }),
    ).toMatchObject({ leaseTtlMs: 20_000, deadLetterTtlMs: 14 * 86_400_000 });
    expect(() => loadNotifierBucketSpec({ NOTIFIER_LEASE_TTL: '1s' })).toThrow(/at least 3s/);
  });
});
