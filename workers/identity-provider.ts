/**
 * The development identity provider process: `node dist/workers/identity-provider.js`.
 *
 * Listens on IDP_HOST:IDP_PORT (127.0.0.1:8900 by default) with issuer `http://IDP_HOST:IDP_PORT`, seeded from
 * IDP_SEED_FILE (deploy/identity/dev-seed.json). At first start it generates, under $DATA_DIR/identity (mode 700),
 * secrets.json (client secrets, the dev password, cookie keys; mode 600) and jwks.json (RS256 and ES256 signing
 * keys; mode 600), and keeps both across restarts. It logs "identity provider ready" with the issuer once it
 * listens. It never logs a secret or a token. Development and tests only: production uses Keycloak.
 *
 * oidc-provider 9 prints "Unsupported runtime" on Node 20: it is tested on Node 22 and later, and runs here (Node
 * >= 20.19 loads it with require(esm)); the warning is harmless.
 */
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { codecServerUrl, loadConfig } from '../src/config';
import { runProcess } from '../src/process';
import { createIdentityProvider } from '../src/identity/provider';
import {
  loadOrCreateSecrets,
  loadOrCreateSigningKeys,
  SecretFileError,
  secretsFile,
} from '../src/identity/secret-files';
import { confidentialClientIds, loadSeed, SeedError } from '../src/identity/seed';
import { createLogger } from '../src/logging';

const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'identity-provider' });
  const seed = loadSeed(resolve(config.IDP_SEED_FILE));
  const secrets = loadOrCreateSecrets(config.DATA_DIR, confidentialClientIds(seed));
  const keys = loadOrCreateSigningKeys(config.DATA_DIR);
  for (const [what, loaded] of [
    ['secrets', secrets],
    ['signing keys', keys],
  ] as const) {
    if (loaded.created) logger.info({ file: what }, `generated dev ${what}`);
    else if (loaded.added.length > 0) logger.info({ clients: loaded.added }, `generated secrets for new clients`);
    if (loaded.tightened) logger.warn({ file: what }, `dev ${what} file was readable by others: mode set to 600`);
  }

  const issuer = `http://${config.IDP_HOST}:${config.IDP_PORT}`;
  const { handler } = createIdentityProvider({
    issuer,
    seed,
    urls: { GATEWAY_URL: config.GATEWAY_URL, CODEC_SERVER_URL: codecServerUrl(config) },
    secrets: secrets.value,
    jwks: keys.value,
    audience: config.OIDC_AUDIENCE,
    logger,
  });
  const server = createServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(config.IDP_PORT, config.IDP_HOST, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  logger.info(
    {
      issuer,
      audience: config.OIDC_AUDIENCE,
      accounts: seed.accounts.length,
      clients: seed.clients.map((c) => c.clientId),
      secretsFile: secretsFile(config.DATA_DIR),
    },
    'identity provider ready',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'identity provider stopping');
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      logger.info('identity provider stopped');
      // oidc-provider's in-memory store keeps timers; nothing is left to finish once the server is closed.
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

runProcess('identity-provider', main, { configurationErrors: [SeedError, SecretFileError] });
