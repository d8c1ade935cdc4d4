/**
 * Notifier settings, read from the environment next to the shared Config. Webhooks are per agency
 * (`NOTIFIER_WEBHOOK_<AGENCY>` and `NOTIFIER_WEBHOOK_SECRET_<AGENCY>`): an agency's endpoint only ever receives that
 * agency's events, signed with that agency's secret(s) (Standard Webhooks, `whsec_...`; two during a rotation).
 * Events are need-to-know, so webhooks must use https; plain http is accepted for loopback receivers only.
 */
import { issueMessage } from '../domain/errors';
import { z } from 'zod';
import { ConfigError, durationMs } from '../config';
import { AGENCIES, Agency } from '../domain/agencies';
import { DEFAULT_DEAD_LETTER_MAX_BYTES, type BucketSpec } from '../nats/buckets';
import { webhookSecretKey, WebhookSecretError } from './standard-webhooks';

export interface WebhookTarget {
  url: URL;
  /** HMAC keys of the agency's secrets, current first; every one signs each request. */
  keys: Buffer[];
}

export interface NotifierConfig {
  agencies: Agency[];
  /** Whether this notifier also serves the CLEARED route (task events of restricted agencies; inbox only). */
  cleared: boolean;
  webhooks: Partial<Record<Agency, WebhookTarget>>;
  webhookTimeoutMs: number;
  webhookAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long an undeliverable event is retried before it becomes a dead letter. */
  retryHorizonMs: number;
  buckets: Required<Pick<BucketSpec, 'seenTtlMs' | 'deadLetterTtlMs' | 'deadLetterMaxBytes' | 'leaseTtlMs'>>;
}

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');
const atLeast = (minMs: number, what: string) =>
  duration.refine((d) => durationMs(d) >= minMs, `must be at least ${what}`);

const storageSchema = z.object({
  NOTIFIER_DEDUPE_TTL: duration.default('7d'),
  NOTIFIER_DEAD_LETTER_TTL: atLeast(3_600_000, '1h').default('30d'),
  NOTIFIER_DEAD_LETTER_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024, 'must be at least 1048576 (1 MiB)')
    .default(DEFAULT_DEAD_LETTER_MAX_BYTES),
  // Renewed every third of it; a stopped notifier's agencies move to a standby within about one TTL.
  NOTIFIER_LEASE_TTL: atLeast(3_000, '3s').default('15s'),
});

const schema = storageSchema.extend({
  NOTIFIER_AGENCIES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(Agency).min(1, 'must list at least one agency'))
    .optional(),
  NOTIFIER_CLEARED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  NOTIFIER_WEBHOOK_TIMEOUT: duration.default('5s'),
  NOTIFIER_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  NOTIFIER_RETRY_BASE: duration.default('1s'),
  NOTIFIER_RETRY_MAX: duration.default('5m'),
  NOTIFIER_RETRY_HORIZON: atLeast(60_000, '1m').default('72h'),
});

/** https, or http to this machine only (a receiver beside the notifier, or a test). */
export function webhookUrlProblem(u: string): string | undefined {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  if (url.protocol === 'http:') return 'must use https (plain http is allowed only for loopback receivers)';
  return 'must be an https URL';
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** One or two secrets (current, and next during a rotation), separated by a space or a comma. */
function parseSecrets(value: string): { keys: Buffer[] } | { problem: string } {
  const secrets = value.split(/[\s,]+/).filter(Boolean);
  if (secrets.length === 0 || secrets.length > 2) {
    return { problem: 'must be one secret, or two (space-separated) during a rotation' };
  }
  try {
    return { keys: secrets.map(webhookSecretKey) };
  } catch (err) {
    if (err instanceof WebhookSecretError) return { problem: err.message };
    throw err;
  }
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => issueMessage(i));
}

function presentOf(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
}

/** The bucket limits alone: what `cases setup` (admin) needs, without the webhook settings. */
export function loadNotifierBucketSpec(
  env: Record<string, string | undefined> = process.env,
): NotifierConfig['buckets'] {
  const parsed = storageSchema.safeParse(presentOf(env));
  if (!parsed.success) throw new ConfigError(issuesOf(parsed.error));
  return bucketSpecOf(parsed.data);
}

function bucketSpecOf(c: z.output<typeof storageSchema>): NotifierConfig['buckets'] {
  return {
    seenTtlMs: durationMs(c.NOTIFIER_DEDUPE_TTL),
    deadLetterTtlMs: durationMs(c.NOTIFIER_DEAD_LETTER_TTL),
    deadLetterMaxBytes: c.NOTIFIER_DEAD_LETTER_MAX_BYTES,
    leaseTtlMs: durationMs(c.NOTIFIER_LEASE_TTL),
  };
}

export function loadNotifierConfig(env: Record<string, string | undefined> = process.env): NotifierConfig {
  const present = presentOf(env);
  const issues: string[] = [];
  const parsed = schema.safeParse(present);
  if (!parsed.success) issues.push(...issuesOf(parsed.error));

  const webhooks: Partial<Record<Agency, WebhookTarget>> = {};
  for (const agency of AGENCIES) {
    const urlVar = `NOTIFIER_WEBHOOK_${agency}`;
    const secretVar = `NOTIFIER_WEBHOOK_SECRET_${agency}`;
    const url = present[urlVar];
    const secret = present[secretVar];
    if (url === undefined) {
      if (secret !== undefined) issues.push(`${secretVar}: set without ${urlVar}`);
      continue;
    }
    const urlProblem = webhookUrlProblem(url);
    if (urlProblem) issues.push(`${urlVar}: ${urlProblem}`);
    if (secret === undefined) {
      issues.push(`${secretVar}: required when ${urlVar} is set`);
      continue;
    }
    const secrets = parseSecrets(secret);
    if ('problem' in secrets) issues.push(`${secretVar}: ${secrets.problem}`);
    else if (!urlProblem) webhooks[agency] = { url: new URL(url), keys: secrets.keys };
  }
  if (parsed.success) {
    const c = parsed.data;
    // A mark that expires before the last retry could let a redelivered event through twice.
    if (durationMs(c.NOTIFIER_DEDUPE_TTL) < durationMs(c.NOTIFIER_RETRY_HORIZON)) {
      issues.push('NOTIFIER_DEDUPE_TTL: must be at least NOTIFIER_RETRY_HORIZON');
    }
    if (durationMs(c.NOTIFIER_RETRY_MAX) < durationMs(c.NOTIFIER_RETRY_BASE)) {
      issues.push('NOTIFIER_RETRY_MAX: must be at least NOTIFIER_RETRY_BASE');
    }
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  const c = parsed.data;
  return {
    agencies: c.NOTIFIER_AGENCIES ?? [...AGENCIES],
    cleared: c.NOTIFIER_CLEARED,
    webhooks,
    webhookTimeoutMs: durationMs(c.NOTIFIER_WEBHOOK_TIMEOUT),
    webhookAttempts: c.NOTIFIER_WEBHOOK_ATTEMPTS,
    retryBaseMs: durationMs(c.NOTIFIER_RETRY_BASE),
    retryMaxMs: durationMs(c.NOTIFIER_RETRY_MAX),
    retryHorizonMs: durationMs(c.NOTIFIER_RETRY_HORIZON),
    buckets: bucketSpecOf(c),
  };
}
