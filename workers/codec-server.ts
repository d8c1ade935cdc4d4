/**
 * Codec server process: `node dist/workers/codec-server.js`.
 *
 * Needs CODEC_KEYS or CODEC_KEY_FILE (the same keys as the workers) and CODEC_SERVER_TOKEN; listens on
 * 127.0.0.1:CODEC_SERVER_PORT (default 8888). Loopback only, on purpose: this process turns ciphertext back into
 * victims' identities, and there is no configuration yet for exposing it more widely.
 *
 * Who calls it:
 * - The Temporal CLI, for admins at a terminal:
 *     temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:8888 --codec-auth "Bearer $CODEC_SERVER_TOKEN"
 * - The Temporal Web UI. The dev stack passes the endpoint to the dev server (scripts/stack.sh, when CODEC_ENDPOINT
 *   is set): `temporal server start-dev ... --ui-codec-endpoint http://127.0.0.1:8888`. The UI then calls
 *   `<endpoint>/decode` from the admin's browser (hence CORS for the UI origin, CODEC_ALLOWED_ORIGIN, default the
 *   origin of TEMPORAL_UI_URL). Caveat: the UI does not send a configured static token. It sends
 *   `Authorization: Bearer <access token>` only when its codec setting passAccessToken is on, only to an https
 *   endpoint, and the token is the user's OIDC access token from the UI's own login. The dev server's UI has no
 *   login, so its requests arrive without a token and get 401. Decoding in the UI therefore needs either a UI
 *   with OIDC login whose access token this server verifies, or a deliberate dev-only decision; until then
 *   admins decode through the CLI as above.
 */
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from '../src/config';
import { createCodecServer } from '../src/codec-server/server';
import { createLogger } from '../src/logging';
import { EncryptionCodec } from '../src/temporal/codec';
import { KeyringError, loadKeyring } from '../src/temporal/keyring';

// Loopback by default (CODEC_SERVER_HOST); containers set 0.0.0.0 behind their own network.
const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.CODEC_SERVER_TOKEN) {
    throw new ConfigError(['CODEC_SERVER_TOKEN: required by the codec server (at least 16 characters)']);
  }
  const keyring = loadKeyring(config);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'codec-server' });
  const allowedOrigin = config.CODEC_ALLOWED_ORIGIN ?? config.TEMPORAL_UI_URL;

  const server = createCodecServer({
    codec: new EncryptionCodec(keyring),
    token: config.CODEC_SERVER_TOKEN,
    allowedOrigin,
    logger,
  });
  await listen(server, config.CODEC_SERVER_PORT, config.CODEC_SERVER_HOST);
  logger.info(
    {
      url: `http://${config.CODEC_SERVER_HOST}:${config.CODEC_SERVER_PORT}`,
      allowedOrigin: new URL(allowedOrigin).origin,
      activeKeyId: keyring.activeKeyId,
      keyIds: keyring.ids,
    },
    'codec server listening',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'codec server stopping');
    // Requests are short; anything still running after the grace period is cut off.
    setTimeout(() => {
      logger.warn('codec server: open connections after grace period, exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close((err) => {
      if (err) logger.error({ err }, 'codec server close failed');
      logger.info('codec server stopped');
      process.exitCode = err ? 1 : 0;
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof KeyringError) {
    // One line, for scripts and humans: these messages name variables and rules, never secrets.
    process.stderr.write(`codec-server: ${err.issues.join('; ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`codec-server: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
