/**
 * One way to connect to NATS for every process. Connections reconnect forever: a worker that gives
 * up on NATS would silently stop notifying agencies, whereas a worker that keeps trying recovers as
 * soon as the server is back (publishes that timed out meanwhile are retried by their activity).
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Agency } from '../domain/agencies';
import { createLogger } from '../logging';
import { loadNatsSettings, type NatsSettings } from './settings';

export interface ConnectNatsOptions {
  /** Connection name, shown by the server's monitoring (`notifier`, `orchestrator`, `cases-cli`). */
  name: string;
  /** Set for an agency's own connection: its user may only subscribe to its own inbox prefix. */
  agency?: Agency;
  /** Reply prefix of a service identity (`_INBOX_notifier`); else NATS_INBOX_PREFIX, else the agency's. */
  inboxPrefix?: string;
  logger?: Logger;
  /** Delay between reconnect attempts; the client adds jitter. */
  reconnectTimeWaitMs?: number;
  /** Keep trying when the server is not up yet (a process started before NATS), instead of failing. */
  waitOnFirstConnect?: boolean;
}

/**
 * The NatsSettings fields are read from the environment when the config does not carry them (src/config.ts does
 * not yet), so every process picks up NKEY credentials, its reply prefix and TLS without code changes.
 */
export type NatsConnectionConfig = Pick<Config, 'NATS_URL'> &
  Partial<Pick<Config, 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_CREDS_FILE'>> &
  Partial<Omit<NatsSettings, 'NATS_AUDIT_MAX_AGE'>>;

export class NatsCredentialsError extends Error {
  override readonly name = 'NatsCredentialsError';
}

/**
 * `_INBOX.>` is shared by every user of an account, so a subscriber allowed `_INBOX.>` could read the
 * replies (pulled messages included) meant for any other agency. Each agency gets its own prefix, and
 * its user is only allowed to subscribe below it (see auth-config.ts).
 */
export function inboxPrefixFor(agency: Agency): string {
  return `_INBOX_${agency}`;
}

export function natsConnectionOptions(
  given: NatsConnectionConfig,
  opts: ConnectNatsOptions,
  env: Record<string, string | undefined> = process.env,
): NodeConnectionOptions {
  const config = { ...loadNatsSettings(env), ...defined(given) } as NatsConnectionConfig;
  const kinds = [config.NATS_CREDS_FILE, config.NATS_USER || config.NATS_PASSWORD, config.NATS_NKEY_SEED_FILE];
  if (kinds.filter(Boolean).length > 1) {
    throw new NatsCredentialsError('set one of NATS_NKEY_SEED_FILE, NATS_CREDS_FILE or NATS_USER/NATS_PASSWORD');
  }
  if (Boolean(config.NATS_USER) !== Boolean(config.NATS_PASSWORD)) {
    throw new NatsCredentialsError('NATS_USER and NATS_PASSWORD must be set together');
  }
  const options: NodeConnectionOptions = {
    servers: config.NATS_URL,
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 2_000,
    waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
  };
  const inboxPrefix = opts.inboxPrefix ?? config.NATS_INBOX_PREFIX ?? (opts.agency && inboxPrefixFor(opts.agency));
  if (inboxPrefix) options.inboxPrefix = inboxPrefix;
  if (config.NATS_USER && config.NATS_PASSWORD) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_CREDS_FILE) {
    const file = config.NATS_CREDS_FILE;
    // Read on every (re)connect so a rotated creds file is picked up without a restart.
    options.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  if (config.NATS_NKEY_SEED_FILE) {
    const file = config.NATS_NKEY_SEED_FILE;
    // Read on every (re)connect too; trimmed, since the file ends with a newline.
    options.authenticator = nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(file, 'utf8').trim()));
  }
  if (config.NATS_TLS_CA_FILE || config.NATS_TLS_CERT_FILE) {
    options.tls = {
      ...(config.NATS_TLS_CA_FILE ? { caFile: config.NATS_TLS_CA_FILE } : {}),
      ...(config.NATS_TLS_CERT_FILE ? { certFile: config.NATS_TLS_CERT_FILE } : {}),
      ...(config.NATS_TLS_KEY_FILE ? { keyFile: config.NATS_TLS_KEY_FILE } : {}),
    };
  }
  return options;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function connectNats(config: NatsConnectionConfig, opts: ConnectNatsOptions): Promise<NatsConnection> {
  const logger = (opts.logger ?? createLogger({ name: opts.name })).child({
    component: 'nats',
    connection: opts.name,
    ...(opts.agency ? { agency: opts.agency } : {}),
  });
  const nc = await connect(natsConnectionOptions(config, opts));
  logger.info({ server: nc.getServer() }, 'nats connected');
  watchStatus(nc, logger);
  return nc;
}

/** Logs connection status changes; runs until the connection closes. */
function watchStatus(nc: NatsConnection, logger: Logger): void {
  const watching = (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          logger.warn({ server: s.server }, 'nats disconnected');
          break;
        case 'reconnecting':
          logger.debug('nats reconnecting');
          break;
        case 'reconnect':
          logger.info({ server: s.server }, 'nats reconnected');
          break;
        case 'ldm':
          logger.warn({ server: s.server }, 'nats server entering lame duck mode');
          break;
        case 'error':
          // Permission violations arrive here: worth a warning, since they mean a misconfigured user.
          logger.warn({ err: s.error }, 'nats async error');
          break;
        case 'slowConsumer':
          logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'nats slow consumer');
          break;
        case 'staleConnection':
          logger.warn('nats stale connection');
          break;
        default:
          break;
      }
    }
  })();
  watching.catch((err: unknown) => logger.error({ err }, 'nats status watcher failed'));
  nc.closed()
    .then((err) => {
      if (err) logger.error({ err }, 'nats connection closed with error');
      else logger.info('nats connection closed');
    })
    .catch(() => undefined);
}
