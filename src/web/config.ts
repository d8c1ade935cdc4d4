/**
 * Settings of the staff web app (served by the gateway), validated with zod like every variable; the lead moves
 * them into src/config.ts later. The OAuth client is `gateway-web` (confidential): its secret comes from
 * GATEWAY_WEB_CLIENT_SECRET, or with the development provider from $DATA_DIR/identity/secrets.json.
 */
import { issueMessage } from '../domain/errors';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, durationMs, type Config } from '../config';
import { isLanguage, type Language } from './i18n';
import { isTimeZone } from './time';

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');

export const webEnvSchema = z.object({
  // Unset: on when the client secret is at hand (GATEWAY_WEB_CLIENT_SECRET, or the dev provider's secrets file), so a
  // gateway deployed without one keeps serving its API; `true` makes a missing secret an error.
  WEB_ENABLED: z.enum(['true', 'false']).optional(),
  GATEWAY_WEB_CLIENT_ID: z
    .string()
    .regex(/^[\w.-]{1,100}$/, 'must be a client id')
    .default('gateway-web'),
  GATEWAY_WEB_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // Secure cookies need https; plain-http development (the dev stack on 127.0.0.1) turns it off.
  WEB_COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  WEB_IDLE_TIMEOUT: duration.default('30m'),
  // Never longer than the provider's refresh tokens (8 hours with the development provider).
  WEB_SESSION_MAX: duration.default('8h'),
  WEB_MAX_SESSIONS: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  WEB_DEFAULT_LANGUAGE: z.string().refine(isLanguage, 'must be es or en').default('es'),
  WEB_DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone').default('America/Lima'),
  WEB_SSE_HEARTBEAT: duration.default('15s'),
});

export interface WebConfig {
  enabled: boolean;
  /** The public URL browsers use (GATEWAY_URL), without a trailing slash. */
  publicUrl: string;
  clientId: string;
  clientSecret: string;
  cookieSecure: boolean;
  idleTimeoutMs: number;
  sessionMaxMs: number;
  maxSessions: number;
  defaultLanguage: Language;
  defaultTimeZone: string;
  heartbeatMs: number;
}

/** The dev provider's generated secret of a confidential client, if its secrets file is there. */
export function devClientSecret(dataDir: string, clientId: string): string | undefined {
  const file = join(dataDir, 'identity', 'secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { clients?: Record<string, unknown> };
    const secret = parsed.clients?.[clientId];
    return typeof secret === 'string' ? secret : undefined;
  } catch {
    return undefined;
  }
}

export function loadWebConfig(
  config: Pick<Config, 'GATEWAY_URL' | 'DATA_DIR'>,
  env: Record<string, string | undefined> = process.env,
): WebConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = webEnvSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => issueMessage(i)));
  const c = parsed.data;
  const publicUrl = config.GATEWAY_URL.replace(/\/+$/, '');
  const secret = c.GATEWAY_WEB_CLIENT_SECRET ?? devClientSecret(config.DATA_DIR, c.GATEWAY_WEB_CLIENT_ID);
  const enabled = c.WEB_ENABLED === undefined ? secret !== undefined : c.WEB_ENABLED === 'true';
  if (enabled && !secret) {
    throw new ConfigError([
      `GATEWAY_WEB_CLIENT_SECRET: required with WEB_ENABLED=true (or start the development identity provider, which writes it to ${join(config.DATA_DIR, 'identity', 'secrets.json')})`,
    ]);
  }
  const secure = c.WEB_COOKIE_SECURE === undefined ? publicUrl.startsWith('https:') : c.WEB_COOKIE_SECURE === 'true';
  if (durationMs(c.WEB_IDLE_TIMEOUT) > durationMs(c.WEB_SESSION_MAX)) {
    throw new ConfigError(['WEB_IDLE_TIMEOUT: must not be longer than WEB_SESSION_MAX']);
  }
  return {
    enabled,
    publicUrl,
    clientId: c.GATEWAY_WEB_CLIENT_ID,
    clientSecret: secret ?? '',
    cookieSecure: secure,
    idleTimeoutMs: durationMs(c.WEB_IDLE_TIMEOUT),
    sessionMaxMs: durationMs(c.WEB_SESSION_MAX),
    maxSessions: c.WEB_MAX_SESSIONS,
    defaultLanguage: c.WEB_DEFAULT_LANGUAGE as Language,
    defaultTimeZone: c.WEB_DEFAULT_TIME_ZONE,
    heartbeatMs: durationMs(c.WEB_SSE_HEARTBEAT),
  };
}
