/**
 * The notifier process: reads each agency's durable consumer and notifies staff (log, webhook) and
 * keeps the task inbox. Stops gracefully on SIGINT/SIGTERM: the message in hand is finished, pulled
 * ones are handed back, and the connection is drained, so a restart loses and repeats nothing.
 */
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { createNotifierMetrics, type NotifierMetrics } from '../src/metrics/notifier-metrics';
import { createProcessRegistry, startMetricsServer, type MetricsServer } from '../src/metrics/server';
import { ensureNotifierBuckets } from '../src/nats/buckets';
import { connectNats } from '../src/nats/connection';
import { ensureJetStream } from '../src/nats/stream';
import { LogChannel } from '../src/notifier/channels';
import { loadNotifierConfig } from '../src/notifier/config';
import { Notifier } from '../src/notifier/notifier';
import { WebhookChannel } from '../src/notifier/webhook';

async function run(): Promise<void> {
  const config = loadConfig();
  const notifierConfig = loadNotifierConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'notifier' });
  // METRICS_PORT=0 (the default) serves no metrics; the notifier's `counters` are logged at stop either way.
  // Started before NATS so that a notifier waiting for its server is visible to the scraper.
  let metricsServer: MetricsServer | undefined;
  let metrics: NotifierMetrics | undefined;
  if (config.METRICS_PORT > 0) {
    const registry = createProcessRegistry({ service: 'notifier' });
    metrics = createNotifierMetrics(registry);
    metricsServer = await startMetricsServer({
      registry,
      port: config.METRICS_PORT,
      host: config.METRICS_HOST,
      logger,
    });
  }
  const nc = await connectNats(config, { name: 'notifier', logger, waitOnFirstConnect: true });
  await ensureJetStream(config, nc);
  const buckets = await ensureNotifierBuckets(nc, { seenTtlMs: notifierConfig.seenTtlMs, replicas: config.NATS_REPLICAS });
  const notifier = new Notifier({
    nc,
    stream: config.NATS_STREAM,
    agencies: notifierConfig.agencies,
    buckets,
    channels: [
      new LogChannel(logger.child({ channel: 'log' })),
      new WebhookChannel({
        targets: notifierConfig.webhooks,
        attempts: notifierConfig.webhookAttempts,
        timeoutMs: notifierConfig.webhookTimeoutMs,
        logger: logger.child({ channel: 'webhook' }),
      }),
    ],
    logger,
    retryBaseMs: notifierConfig.retryBaseMs,
    retryMaxMs: notifierConfig.retryMaxMs,
    ...(metrics ? { metrics } : {}),
  });
  for (const [agency, target] of Object.entries(notifierConfig.webhooks)) {
    // Events are need-to-know: in clear text they are readable by anyone on the path.
    if (target.url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(target.url.hostname)) {
      logger.warn({ agency }, 'webhook uses plain http to a non-local host; use https');
    }
  }
  await notifier.start();
  logger.info(
    { agencies: notifierConfig.agencies, webhooks: Object.keys(notifierConfig.webhooks), stream: config.NATS_STREAM },
    'notifier ready',
  );

  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'notifier stopping');
    await notifier.stop();
    await nc.drain();
    await metricsServer?.close();
  };
  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      shutdown(signal).then(resolve, reject);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

run().catch((err: unknown) => {
  // Config errors carry no secrets (they name variables and rules), so they can be printed as they are.
  console.error(err);
  process.exit(1);
});
