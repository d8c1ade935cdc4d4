/**
 * The orchestrator worker: runs the case, raid and protection workflows and the publish activity.
 * Built here (not in workers/) so tests run the very same worker in-process.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../../activities';
import type { Config } from '../config';
import { ensureJetStream } from '../nats/stream';
import { connectionOptions } from './connection';
import { loadDataConverter } from './data-converter';

export interface OrchestratorWorkerOptions {
  config: Config;
  logger: Logger;
  nc: NatsConnection;
  /** A prebuilt bundle (tests bundle once per run); else workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker tuning (benchmarks set cache size and concurrency). */
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>>;
}

export async function createOrchestratorWorker(opts: OrchestratorWorkerOptions): Promise<{
  worker: Worker;
  connection: NativeConnection;
}> {
  const { config, logger, nc } = opts;
  // The stream must exist before the first publish; provisioning is idempotent.
  await ensureJetStream(config, nc);
  const dataConverter = loadDataConverter(config);
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    activities: createActivities({ js: jetstream(nc), streamName: config.NATS_STREAM, logger: logger.child({ component: 'activities' }) }),
    ...opts.tuning,
  });
  return { worker, connection };
}
