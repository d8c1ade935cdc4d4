/** Orchestrator worker process: `npm run worker`. */
import { loadConfig } from '../src/config';
import { runProcess } from '../src/process';
import { createLogger, installTemporalRuntime } from '../src/logging';
import { connectNats } from '../src/nats/connection';
import { createOrchestratorWorker } from '../src/temporal/worker';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'orchestrator' });
  // TEMPORAL_METRICS_ADDRESS (e.g. 0.0.0.0:9464) turns on the runtime's Prometheus exporter; unset, no metrics.
  await installTemporalRuntime(logger, { metricsBindAddress: config.TEMPORAL_METRICS_ADDRESS });
  const nc = await connectNats(config, { name: 'orchestrator', logger, waitOnFirstConnect: true });
  const { worker, connection } = await createOrchestratorWorker({ config, logger, nc });
  logger.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE },
    'orchestrator worker ready',
  );
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (the SDK installs the handlers).
  await worker.run();
  await connection.close();
  await nc.drain();
  logger.info('orchestrator worker stopped');
}

runProcess('orchestrator', run);
