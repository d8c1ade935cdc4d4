/**
 * Codec server process: `node dist/workers/codec-server.js`.
 *
 * Needs CODEC_KEYS or CODEC_KEY_FILE (the same keys as the workers) and OIDC_ISSUER (the identity provider whose
 * admins may decode); listens on CODEC_SERVER_HOST:CODEC_SERVER_PORT (127.0.0.1:8888 by default). Loopback by
 * default, on purpose: this process turns ciphertext back into victims' identities.
 *
 * Every decryption is attributable to a person with the `admin` role:
 * - The Temporal CLI, for admins at a terminal, with their own access token (e.g. from the `cases` CLI's login):
 *     temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:8888 --codec-auth "Bearer $ACCESS_TOKEN"
 * - The Temporal Web UI, from the admin's browser: it POSTs `<endpoint>/decode` with the browser's cookies (CORS for
 *   the UI origin only, CODEC_ALLOWED_ORIGIN, default the origin of TEMPORAL_UI_URL). Once per browser:
 *   1. Open http://127.0.0.1:8888/session: it sends you to the identity provider (client CODEC_OIDC_CLIENT_ID,
 *      default codec-server; authorization code + PKCE; redirect CODEC_SERVER_URL/session/callback). Sign in as an
 *      admin (dev: admin-1). Others are refused with 403. The server sets `codec_session`: a random id, HttpOnly,
 *      SameSite=Strict, valid 8 hours, held in this process's memory only (a restart signs everybody out), recording
 *      who signed in.
 *   2. In the UI (http://127.0.0.1:8233), open Codec Server settings (the icon in the top bar), choose "Use my
 *      browser setting and ignore Cluster-level setting", enter http://127.0.0.1:8888 as the endpoint, tick
 *      "Include cross-origin credentials", Apply. (The override is needed because with a cluster-level endpoint the
 *      UI takes the credentials flag from the cluster config, which `temporal server start-dev` cannot set.)
 *   3. Payloads now show decoded, each decode logged with your subject and staff id. Sign out on the same page.
 *   Open the UI and the codec server under the same host name (both 127.0.0.1, not one of them localhost).
 * - Break-glass: CODEC_SERVER_TOKEN, when set, is also accepted (bearer, or the form at /session/break-glass) for
 *   when the identity provider is down. Off unless set; the start and every use are logged as break-glass.
 *
 * The client secret comes from CODEC_OIDC_CLIENT_SECRET; with the dev provider it may be left unset and is then read
 * from $DATA_DIR/identity/secrets.json. Behind an https proxy, cookies should be marked Secure (createCodecServer's
 * `secureCookie`; not yet a setting).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { codecServerUrl, ConfigError, loadConfig, type Config } from '../src/config';
import { runProcess } from '../src/process';
import { SignInFlow } from '../src/codec-server/sign-in';
import { createCodecServer } from '../src/codec-server/server';
import { secretsFile } from '../src/identity/secret-files';
import { createTokenVerifier, TokenRejectedError, tokenVerifierOptions } from '../src/identity/verify';
import { createLogger } from '../src/logging';
import { EncryptionCodec, INSPECTOR_POLICY } from '../src/temporal/codec';
import { loadKeyring } from '../src/temporal/keyring';

const SHUTDOWN_GRACE_MS = 5_000;

/** The client secret from the environment, else (dev provider) from its generated secrets file. */
function clientSecret(config: Config): { secret: string; source: string } {
  if (config.CODEC_OIDC_CLIENT_SECRET)
    return { secret: config.CODEC_OIDC_CLIENT_SECRET, source: 'CODEC_OIDC_CLIENT_SECRET' };
  const file = secretsFile(config.DATA_DIR);
  try {
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as { clients?: Record<string, unknown> };
    const secret = secrets.clients?.[config.CODEC_OIDC_CLIENT_ID];
    if (typeof secret === 'string' && secret.length >= 16) return { secret, source: file };
  } catch {
    // not there: the error below says what to set
  }
  throw new ConfigError([
    `CODEC_OIDC_CLIENT_SECRET: required (the secret of client ${config.CODEC_OIDC_CLIENT_ID}); with the dev identity provider it is read from ${file} once that has started`,
  ]);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.OIDC_ISSUER) {
    throw new ConfigError([
      'OIDC_ISSUER: required by the codec server (the identity provider its admins sign in with)',
    ]);
  }
  const publicUrl = codecServerUrl(config);
  const keyring = loadKeyring(config);
  const { secret, source } = clientSecret(config);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'codec-server' });
  const allowedOrigin = config.CODEC_ALLOWED_ORIGIN ?? config.TEMPORAL_UI_URL;
  const verifier = createTokenVerifier(tokenVerifierOptions(config));
  const redirectUri = `${publicUrl}/session/callback`;

  const server = createCodecServer({
    // Shows histories as stored: plaintext as it is, a payload it cannot decrypt as an error.
    codec: new EncryptionCodec(keyring, INSPECTOR_POLICY),
    verifier,
    signIn: new SignInFlow({
      issuer: config.OIDC_ISSUER,
      clientId: config.CODEC_OIDC_CLIENT_ID,
      clientSecret: secret,
      redirectUri,
    }),
    ...(config.CODEC_SERVER_TOKEN ? { breakGlassToken: config.CODEC_SERVER_TOKEN } : {}),
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
      issuer: config.OIDC_ISSUER,
      clientId: config.CODEC_OIDC_CLIENT_ID,
      clientSecretFrom: source === 'CODEC_OIDC_CLIENT_SECRET' ? source : 'dev identity provider secrets file',
      uiSignIn: `${publicUrl}/session`,
      redirectUri,
    },
    'codec server listening',
  );
  if (config.CODEC_SERVER_TOKEN) {
    logger.warn('break-glass token (CODEC_SERVER_TOKEN) is enabled: its holders can decode without signing in');
  }
  // Not fatal: the provider may start after us; each sign-in and token check tries discovery again.
  verifier.ready().catch((err: unknown) => {
    const message = err instanceof TokenRejectedError ? err.message : 'identity provider check failed';
    logger.warn({ issuer: config.OIDC_ISSUER, reason: message }, 'identity provider not reachable yet');
  });

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

runProcess('codec-server', main);
