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
 * - The Temporal Web UI, from the admin's browser: it POSTs `<endpoint>/decode` (hence CORS for the UI origin only,
 *   CODEC_ALLOWED_ORIGIN, default the origin of TEMPORAL_UI_URL). The dev stack gives the dev server the endpoint
 *   (scripts/stack.sh, when CODEC_ENDPOINT is set: `--ui-codec-endpoint http://127.0.0.1:8888`).
 *
 * Admin flow for the Web UI. The UI cannot send a static bearer token (it forwards only an OIDC access token from
 * its own login, and only to https endpoints), but it can send the browser's cookies. So, once per browser:
 *   1. Open http://127.0.0.1:8888/session, paste the token (CODEC_SERVER_TOKEN; the demo keeps it in
 *      .data/codec-server-token) and sign in. The server sets `codec_session`: a random id, HttpOnly,
 *      SameSite=Strict, valid 8 hours, held in this process's memory only (a restart signs everybody out).
 *   2. In the UI (http://127.0.0.1:8233), open Codec Server settings (the icon in the top bar), choose "Use my
 *      browser setting and ignore Cluster-level setting", enter http://127.0.0.1:8888 as the endpoint, tick
 *      "Include cross-origin credentials", Apply. (The UI stores this in the browser's localStorage. The override
 *      is needed because with a cluster-level endpoint the UI takes the credentials flag from the cluster config,
 *      which `temporal server start-dev` cannot set.)
 *   3. Payloads now show decoded. Sign out on the same /session page (or wait for the expiry).
 * Open the UI and the codec server under the same host name (both 127.0.0.1, not one of them localhost): the
 * cookie is SameSite=Strict and CORS allows exactly CODEC_ALLOWED_ORIGIN. The cookie decodes only for requests
 * whose Origin is that UI origin; the CLI and scripts keep using the bearer token. Sign-in posts are accepted only
 * from the /session page itself or without an Origin (curl:
 * `curl -c jar -X POST -H "Authorization: Bearer $CODEC_SERVER_TOKEN" http://127.0.0.1:8888/session`).
 * Behind an https proxy, cookies should be marked Secure (createCodecServer's `secureCookie`; not yet a setting).
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
      uiSignIn: `http://${config.CODEC_SERVER_HOST}:${config.CODEC_SERVER_PORT}/session`,
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
