/**
 * One place for process configuration. Every variable is validated with zod; a bad value stops the
 * process with a message naming the variable and the rule (ConfigError), before anything connects.
 */
import { issueMessage } from './domain/errors';
import { z } from 'zod';

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 5m, 2h or 7d');

const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1, 'must list at least one value'));

const natsUrl = z.string().regex(/^(nats|tls|ws|wss):\/\/[^\s,]+$/, 'must be a nats:// (or tls://) URL');

export const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).max(200).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).max(200).default('case-orchestrator'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  // The CA that signed the frontend's certificate (a private CA in production), and the name on it when
  // it differs from the host of TEMPORAL_ADDRESS.
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_UI_URL: z.string().url('must be a URL').default('http://127.0.0.1:8233'),
  NATS_URL: csv(natsUrl).default(['nats://127.0.0.1:4222']),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -')
    .default('CASES'),
  NATS_STREAM_MAX_AGE: duration.default('365d'),
  // 3 on a clustered JetStream (the nats-cluster compose profile), so the stream and KV survive a node.
  NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  NATS_DUPLICATE_WINDOW: duration.default('2h'),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CASE_POLICY_FILE: z.string().min(1).optional(),
  CODEC_KEYS: z.string().min(1).optional(),
  CODEC_KEY_FILE: z.string().min(1).optional(),
  CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(8888),
  // Break-glass only, off unless set: admins normally sign in to the codec server through the identity provider.
  CODEC_SERVER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // The codec server's address as browsers reach it; <CODEC_SERVER_URL>/session/callback is registered with the
  // identity provider. Defaults to http://<CODEC_SERVER_HOST>:<CODEC_SERVER_PORT> (see codecServerUrl).
  CODEC_SERVER_URL: z.string().url('must be a URL such as http://127.0.0.1:8888').optional(),
  CODEC_OIDC_CLIENT_ID: z
    .string()
    .regex(/^[\w.-]{1,100}$/, 'must be a client id')
    .default('codec-server'),
  // With the dev provider it may stay unset: the codec server then reads it from $DATA_DIR/identity/secrets.json.
  CODEC_OIDC_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // The one browser origin (the Temporal UI) allowed to call the codec server; defaults to TEMPORAL_UI_URL's origin.
  CODEC_ALLOWED_ORIGIN: z.string().url('must be a URL such as http://127.0.0.1:8233').optional(),
  // Identity: the OpenID Connect issuer whose access tokens the gateway (and the codec server) accept. Only its
  // discovery document, an audience and a claim mapping are configured, so the embedded dev provider and
  // Keycloak run the same code. Claim names may be dot paths (Keycloak: realm_access.roles).
  OIDC_ISSUER: z.string().url('must be the issuer URL, e.g. http://127.0.0.1:8900').optional(),
  OIDC_AUDIENCE: z.string().min(1).default('case-orchestrator'),
  OIDC_ALGORITHMS: csv(
    z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']),
  ).default(['RS256', 'PS256', 'ES256']),
  OIDC_CLOCK_TOLERANCE: duration.default('30s'),
  OIDC_CLAIM_AGENCY: z.string().min(1).default('agency'),
  OIDC_CLAIM_STAFF_ID: z.string().min(1).default('staff_id'),
  OIDC_CLAIM_ROLES: z.string().min(1).default('roles'),
  // The embedded development identity provider (workers/identity-provider.ts); production uses Keycloak.
  IDP_HOST: z.string().min(1).default('127.0.0.1'),
  IDP_PORT: z.coerce.number().int().min(1).max(65535).default(8900),
  IDP_SEED_FILE: z.string().min(1).default('deploy/identity/dev-seed.json'),
  // The gateway: the one door for agency scripts, the CLI and staff browsers.
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8700),
  GATEWAY_URL: z.string().url('must be a URL such as http://127.0.0.1:8700').default('http://127.0.0.1:8700'),
  // Prometheus endpoints. METRICS_PORT (0 = off) serves the notifier's /metrics on METRICS_HOST (loopback unless a
  // container sets 0.0.0.0). TEMPORAL_METRICS_ADDRESS (unset = off) makes the orchestrator's Temporal runtime serve
  // its worker metrics (polls, task latencies, slots) at http://<address>/metrics.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, such as 0.0.0.0:9464')
    .optional(),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

/** Parses the environment (or an override, for tests). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": shells and compose files often export VAR= .
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => issueMessage(i)));
  }
  return parsed.data;
}

/** The codec server's browser-facing address, without a trailing slash. */
export function codecServerUrl(
  config: Pick<Config, 'CODEC_SERVER_URL' | 'CODEC_SERVER_HOST' | 'CODEC_SERVER_PORT'>,
): string {
  const host = config.CODEC_SERVER_HOST === '0.0.0.0' ? '127.0.0.1' : config.CODEC_SERVER_HOST;
  return (config.CODEC_SERVER_URL ?? `http://${host}:${config.CODEC_SERVER_PORT}`).replace(/\/+$/, '');
}

/** Milliseconds of a validated duration string ('30s', '2h'): the domain's one parser. */
export { toMs as durationMs } from './domain/durations';
