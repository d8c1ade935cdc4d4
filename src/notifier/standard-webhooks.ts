/**
 * Standard Webhooks (https://www.standardwebhooks.com), the signing scheme receivers already have libraries for:
 *
 *   webhook-id:        the message id, the same on every retry (receivers dedupe on it)
 *   webhook-timestamp: seconds since the epoch when this attempt was signed
 *   webhook-signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per secret, space-separated
 *
 * Secrets are `whsec_<base64 of 24-64 random bytes>`; the HMAC key is the decoded bytes. During a rotation an
 * agency configures two secrets and we sign with both, so the receiver can switch at its own pace.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** What receivers should accept between the timestamp and their clock, either way (the spec's suggestion). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const SECRET_MIN_BYTES = 24;
const SECRET_MAX_BYTES = 64;

export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
}

/** The HMAC key of a `whsec_` secret. The error never contains the secret. */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new WebhookSecretError(`must start with ${WEBHOOK_SECRET_PREFIX} (Standard Webhooks secret format)`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new WebhookSecretError(`must be ${WEBHOOK_SECRET_PREFIX} followed by standard base64`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < SECRET_MIN_BYTES || key.length > SECRET_MAX_BYTES) {
    throw new WebhookSecretError(`must encode ${SECRET_MIN_BYTES}-${SECRET_MAX_BYTES} random bytes`);
  }
  return key;
}

/** A new secret, for operators (`node -e` in docs/notifications.md) and tests. */
export function generateWebhookSecret(bytes: Uint8Array): string {
  return `${WEBHOOK_SECRET_PREFIX}${Buffer.from(bytes).toString('base64')}`;
}

export interface SignedContent {
  id: string;
  /** Seconds since the epoch. */
  timestamp: number;
  body: string;
}

/** `v1,<base64>` for one key; a receiver passes the timestamp header as it came. */
export function signatureFor(
  key: Buffer,
  c: Omit<SignedContent, 'timestamp'> & { timestamp: number | string },
): string {
  const mac = createHmac('sha256', key).update(`${c.id}.${c.timestamp}.${c.body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one attempt, signed with every key given (current first). */
export function standardWebhookHeaders(keys: readonly Buffer[], c: SignedContent): Record<string, string> {
  if (keys.length === 0) throw new WebhookSecretError('at least one secret is needed to sign');
  if (!Number.isSafeInteger(c.timestamp) || c.timestamp < 0) throw new WebhookSecretError('timestamp must be seconds');
  return {
    [WEBHOOK_ID_HEADER]: c.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(c.timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: keys.map((k) => signatureFor(k, c)).join(' '),
  };
}

export type VerifyFailure = 'missing-headers' | 'bad-timestamp' | 'timestamp-outside-tolerance' | 'bad-signature';

/**
 * What a receiver checks (tests use it as the receiver; docs/notifications.md shows the same logic standalone):
 * the timestamp within tolerance, then any `v1` signature matching any of its keys, in constant time. Replays
 * within the tolerance window are the receiver's to catch, by remembering `webhook-id`s.
 */
export function verifyStandardWebhook(
  keys: readonly Buffer[],
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): { ok: true } | { ok: false; reason: VerifyFailure } {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return { ok: false, reason: 'timestamp-outside-tolerance' };
  const given = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const key of keys) {
    const expected = Buffer.from(signatureFor(key, { id, timestamp, body }).slice(3), 'base64');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return { ok: true };
  }
  return { ok: false, reason: 'bad-signature' };
}
