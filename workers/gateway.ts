/**
 * The gateway process: `node dist/workers/gateway.js`. The one door for agencies and staff: OIDC access
 * tokens in, Temporal Updates and Queries out, need-to-know on every read. Holds the codec keys and Temporal
 * access so that agency machines need neither.
 */
import { loadConfig } from '../src/config';
import { readCasePolicy } from '../src/config-files';
import { createGateway } from '../src/gateway/app';
import { createTokenVerifier, tokenVerifierOptions } from '../src/identity/verify';
import { createLogger, installTemporalRuntime } from '../src/logging';
import { notifierBucketNames, openBucket } from '../src/nats/buckets';
import { connectNats } from '../src/nats/connection';
import { runProcess } from '../src/process';
import { CaseService } from '../src/temporal/case-service';
import { connectClient } from '../src/temporal/connection';
import { webOptionsFromEnv } from '../src/web/options';

runProcess('gateway', async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'gateway' });
  const policy = readCasePolicy(config);
  const verifier = createTokenVerifier(tokenVerifierOptions(config));
  await installTemporalRuntime(logger);
  const client = await connectClient(config);
  const nc = await connectNats(config, { name: 'gateway', logger, waitOnFirstConnect: true });
  const inbox = await openBucket(nc, notifierBucketNames().inbox);
  // A misconfigured issuer stops the gateway now, not at its first request.
  await verifier.ready();
  // The staff web app (src/web) on the same origin, unless WEB_ENABLED=false.
  const web = webOptionsFromEnv(config, verifier.issuer);
  const app = await createGateway({ cases: new CaseService(client, config, policy), inbox, verifier, logger, web });
  const address = await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  logger.info(
    { address, issuer: verifier.issuer, audience: verifier.audience, web: web !== undefined },
    'gateway listening',
  );

  const stop = async (signal: string) => {
    logger.info({ signal }, 'gateway stopping');
    await app.close();
    await client.connection.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
});
