/**
 * E-mail settings, validated with zod (the lead moves them into src/config.ts later). Mail is off unless SMTP_URL
 * is set. Production points it at the agencies' relay over TLS (`smtps://` or STARTTLS required); the dev stack at
 * the local sink (workers/mail-sink.ts), which is the only plain-text SMTP we accept, and only on loopback.
 * Credentials come from SMTP_USER and SMTP_PASSWORD (or SMTP_PASSWORD_FILE), never from the URL, and are never logged.
 */
import { issueMessage } from '../domain/errors';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, durationMs, type Config } from '../config';
import { isTimeZone } from '../web/time';

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');

export const mailEnvSchema = z.object({
  SMTP_URL: z
    .string()
    .regex(
      /^smtps?:\/\/[^\s/@:]+(:\d{1,5})?\/?$/,
      'must be smtp://host:port or smtps://host:port (no credentials in it)',
    )
    .optional(),
  SMTP_USER: z.string().min(1).max(256).optional(),
  SMTP_PASSWORD: z.string().min(1).max(1024).optional(),
  SMTP_PASSWORD_FILE: z.string().min(1).optional(),
  // STARTTLS is required on a non-loopback smtp:// relay unless this says otherwise (never do that outside a lab).
  SMTP_REQUIRE_TLS: z.enum(['true', 'false']).optional(),
  SMTP_FROM: z.string().min(3).max(256).default('Casos <no-reply@case-orchestrator.invalid>'),
  SMTP_TIMEOUT: duration.default('15s'),
  MAIL_STAFF_DIRECTORY: z.string().min(1).default('deploy/identity/staff-directory.json'),
  // Links in mails; default GATEWAY_URL (the web app is served by the gateway).
  MAIL_LINK_BASE: z.string().url('must be a URL').optional(),
  MAIL_DEFAULT_LANGUAGE: z.enum(['es', 'en']).default('es'),
  MAIL_DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone').default('America/Lima'),
  // When daily digests go out, as HH:MM in MAIL_DIGEST_TIME_ZONE.
  MAIL_DIGEST_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
    .default('07:00'),
  MAIL_DIGEST_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone').default('America/Lima'),
  // The development sink.
  MAIL_SINK_HOST: z.string().min(1).default('127.0.0.1'),
  MAIL_SINK_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  MAIL_SINK_DIR: z.string().min(1).optional(),
});

export interface SmtpSettings {
  url: URL;
  secure: boolean;
  requireTls: boolean;
  auth?: { user: string; pass: string };
  from: string;
  timeoutMs: number;
}

export interface MailConfig {
  /** Undefined: mail is off. */
  smtp?: SmtpSettings;
  directoryFile: string;
  linkBase: string;
  defaultLanguage: 'es' | 'en';
  defaultTimeZone: string;
  digestAt: string;
  digestTimeZone: string;
  sink: { host: string; port: number; dir: string };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function loadMailConfig(
  config: Pick<Config, 'GATEWAY_URL' | 'DATA_DIR'>,
  env: Record<string, string | undefined> = process.env,
): MailConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = mailEnvSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => issueMessage(i)));
  const c = parsed.data;
  const issues: string[] = [];
  let smtp: SmtpSettings | undefined;
  if (c.SMTP_URL) {
    const url = new URL(c.SMTP_URL);
    const secure = url.protocol === 'smtps:';
    const loopback = isLoopbackHost(url.hostname);
    const requireTls = c.SMTP_REQUIRE_TLS === undefined ? !secure && !loopback : c.SMTP_REQUIRE_TLS === 'true';
    if (!secure && !requireTls && !loopback) {
      issues.push('SMTP_REQUIRE_TLS: plain SMTP is allowed only to a loopback sink; use smtps:// or STARTTLS');
    }
    let pass = c.SMTP_PASSWORD;
    if (c.SMTP_PASSWORD_FILE) {
      try {
        pass = readFileSync(c.SMTP_PASSWORD_FILE, 'utf8').trim();
      } catch {
        issues.push(`SMTP_PASSWORD_FILE: cannot read ${c.SMTP_PASSWORD_FILE}`);
      }
    }
    if ((c.SMTP_USER === undefined) !== (pass === undefined))
      issues.push('SMTP_USER: set it together with SMTP_PASSWORD');
    smtp = {
      url,
      secure,
      requireTls,
      ...(c.SMTP_USER && pass ? { auth: { user: c.SMTP_USER, pass } } : {}),
      from: c.SMTP_FROM,
      timeoutMs: durationMs(c.SMTP_TIMEOUT),
    };
  }
  if (!isLoopbackHost(c.MAIL_SINK_HOST)) issues.push('MAIL_SINK_HOST: the development sink listens on loopback only');
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...(smtp ? { smtp } : {}),
    directoryFile: c.MAIL_STAFF_DIRECTORY,
    linkBase: (c.MAIL_LINK_BASE ?? config.GATEWAY_URL).replace(/\/+$/, ''),
    defaultLanguage: c.MAIL_DEFAULT_LANGUAGE,
    defaultTimeZone: c.MAIL_DEFAULT_TIME_ZONE,
    digestAt: c.MAIL_DIGEST_AT,
    digestTimeZone: c.MAIL_DIGEST_TIME_ZONE,
    sink: {
      host: c.MAIL_SINK_HOST,
      port: c.MAIL_SINK_PORT,
      dir: c.MAIL_SINK_DIR ?? join(config.DATA_DIR, 'mail-sink'),
    },
  };
}
