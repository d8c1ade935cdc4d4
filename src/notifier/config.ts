/**
 * Notifier settings, read from the environment next to the shared Config. Webhooks are per agency
 * (`NOTIFIER_WEBHOOK_<AGENCY>` and `NOTIFIER_WEBHOOK_SECRET_<AGENCY>`): an agency's endpoint only ever
 * receives that agency's events, signed with that agency's secret.
 */
import { z } from 'zod';
import { ConfigError, durationMs } from '../config';
import { AGENCIES, Agency } from '../domain/agencies';

export interface WebhookTarget {
  url: URL;
  secret: string;
}

export interface NotifierConfig {
  agencies: Agency[];
  webhooks: Partial<Record<Agency, WebhookTarget>>;
  seenTtlMs: number;
  webhookTimeoutMs: number;
  webhookAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');

const schema = z.object({
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
  NOTIFIER_DEDUPE_TTL: duration.default('7d'),
  NOTIFIER_WEBHOOK_TIMEOUT: duration.default('5s'),
  NOTIFIER_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  NOTIFIER_RETRY_BASE: duration.default('1s'),
  NOTIFIER_RETRY_MAX: duration.default('5m'),
});

const webhookUrl = z.string().refine((u) => {
  try {
    return /^https?:$/.test(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');
// The secret signs every request; a short one could be guessed and used to forge notifications.
const webhookSecret = z.string().min(16, 'must be at least 16 characters');

export function loadNotifierConfig(env: Record<string, string | undefined> = process.env): NotifierConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const issues: string[] = [];
  const parsed = schema.safeParse(present);
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));

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
    const u = webhookUrl.safeParse(url);
    if (!u.success) issues.push(`${urlVar}: ${u.error.issues[0]?.message ?? 'invalid'}`);
    const s = webhookSecret.safeParse(secret);
    if (secret === undefined) issues.push(`${secretVar}: required when ${urlVar} is set`);
    else if (!s.success) issues.push(`${secretVar}: ${s.error.issues[0]?.message ?? 'invalid'}`);
    if (u.success && s.success) webhooks[agency] = { url: new URL(u.data), secret: s.data };
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  const c = parsed.data;
  return {
    agencies: c.NOTIFIER_AGENCIES ?? [...AGENCIES],
    webhooks,
    seenTtlMs: durationMs(c.NOTIFIER_DEDUPE_TTL),
    webhookTimeoutMs: durationMs(c.NOTIFIER_WEBHOOK_TIMEOUT),
    webhookAttempts: c.NOTIFIER_WEBHOOK_ATTEMPTS,
    retryBaseMs: durationMs(c.NOTIFIER_RETRY_BASE),
    retryMaxMs: durationMs(c.NOTIFIER_RETRY_MAX),
  };
}
