/**
 * NATS settings that src/config.ts does not (yet) carry: the audit stream's retention, NKEY credentials, the
 * per-identity reply prefix and client TLS. Read from the environment with the same rules as Config (empty means
 * unset, a bad value stops the process naming the variable), so they can move into Config unchanged.
 */
import { issueMessage } from '../domain/errors';
import { z } from 'zod';
import { ConfigError } from '../config';

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');
const token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

export const natsSettingsSchema = z.object({
  /** Retention of the sealed audit stream; defaults to NATS_STREAM_MAX_AGE. */
  NATS_AUDIT_MAX_AGE: duration.optional(),
  /** File holding this identity's NKEY seed (`SU...`), written by `cases setup --auth-config`. */
  NATS_NKEY_SEED_FILE: z.string().min(1).optional(),
  /** Reply subject prefix of this identity (`_INBOX_notifier`): `_INBOX.>` is shared by every user of an account. */
  NATS_INBOX_PREFIX: token.optional(),
  /** CA bundle that signed the server's certificate (a private CA); the system roots otherwise. */
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  /** Client certificate and key, when the server asks for them (mutual TLS). */
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
});

export type NatsSettings = z.output<typeof natsSettingsSchema>;

export function loadNatsSettings(env: Record<string, string | undefined> = process.env): NatsSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('NATS_') && v !== undefined && v !== ''),
  );
  const parsed = natsSettingsSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => issueMessage(i)));
  const s = parsed.data;
  if (Boolean(s.NATS_TLS_CERT_FILE) !== Boolean(s.NATS_TLS_KEY_FILE)) {
    throw new ConfigError(['NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together']);
  }
  return s;
}
