/**
 * The notifier process: for each agency whose lease it holds, reads the agency's durable consumer, notifies staff
 * (log, Standard Webhooks) and keeps the task inbox; for the others it stands by. Run two for availability: each
 * agency has one active notifier at a time. Stops gracefully on SIGINT/SIGTERM: the message in hand is finished or
 * handed back, leases are released so a standby takes over at once, and the connection is drained.
 *
 * Under its least-privilege NATS user it cannot provision anything and expects `cases setup` (admin) to have run;
 * with no NATS users (development) it provisions what it needs itself.
 */
import { loadConfig } from '../src/config';
import { runProcess } from '../src/process';
import { createLogger } from '../src/logging';
import { createNotifierMetrics, type NotifierMetrics } from '../src/metrics/notifier-metrics';
import { createProcessRegistry, startMetricsServer, type MetricsServer } from '../src/metrics/server';
import { openNotifierBuckets } from '../src/nats/buckets';
import { connectNats } from '../src/nats/connection';
import { provisionIfPermitted } from '../src/nats/provision';
import { LogChannel } from '../src/notifier/channels';
import { loadNotifierConfig } from '../src/notifier/config';
import { emailChannelFromEnv } from '../src/notifier/email';
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
  await provisionIfPermitted(config, nc, logger, {
    buckets: { ...notifierConfig.buckets, replicas: config.NATS_REPLICAS },
  });
  const buckets = await openNotifierBuckets(nc);
  // E-mail to staff when SMTP_URL is set (src/mail/config.ts).
  const email = emailChannelFromEnv(
    config,
    { marks: buckets.seen, inbox: buckets.inbox },
    logger.child({ channel: 'email' }),
  );
  const notifier = new Notifier({
    nc,
    stream: config.NATS_STREAM,
    agencies: notifierConfig.agencies,
    cleared: notifierConfig.cleared,
    buckets,
    channels: [
      new LogChannel(logger.child({ channel: 'log' })),
      new WebhookChannel({
        targets: notifierConfig.webhooks,
        attempts: notifierConfig.webhookAttempts,
        timeoutMs: notifierConfig.webhookTimeoutMs,
        logger: logger.child({ channel: 'webhook' }),
      }),
      ...(email ? [email] : []),
    ],
    logger,
    retryBaseMs: notifierConfig.retryBaseMs,
    retryMaxMs: notifierConfig.retryMaxMs,
    retryHorizonMs: notifierConfig.retryHorizonMs,
    ...(metrics ? { metrics } : {}),
  });
  await notifier.start();
  email?.startDigests();
  logger.info(
    {
      agencies: notifierConfig.agencies,
      cleared: notifierConfig.cleared,
      webhooks: Object.keys(notifierConfig.webhooks),
      email: email !== undefined,
      stream: config.NATS_STREAM,
    },
    'notifier ready',
  );

  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'notifier stopping');
    await notifier.stop();
    email?.stop();
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

runProcess('notifier', run);
