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
import { provisionIfPermitted } from '../nats/provision';
import { connectionOptions } from './connection';
import { WORKER_POLICY } from './codec';
import { FAILURE_CONVERTER_PATH, loadDataConverter } from './data-converter';

/**
 * The domain modules workflow code runs, preloaded: evaluated once per worker thread and shared (frozen)
 * by every workflow it runs, instead of once per cached workflow (src/domain/preload.ts says what may be
 * in them). Every bundle of workflows/ is built with these options: the worker's own, the tests', the
 * recorder's, the replay test's and the benchmarks'.
 */
export const WORKFLOW_BUNDLE_OPTIONS = {
  failureConverterPath: FAILURE_CONVERTER_PATH,
  preloadModules: [require.resolve('../domain/preload')],
};

export interface OrchestratorWorkerOptions {
  config: Config;
  logger: Logger;
  nc: NatsConnection;
  /** A prebuilt bundle (tests bundle once per run); else workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker tuning (benchmarks set cache size and concurrency). */
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'
    >
  >;
}

export async function createOrchestratorWorker(opts: OrchestratorWorkerOptions): Promise<{
  worker: Worker;
  connection: NativeConnection;
}> {
  const { config, logger, nc } = opts;
  // The streams must exist before the first publish. Under its least-privilege NATS user the orchestrator may
  // not provision (the admin's `cases setup` has); in development it does so itself.
  await provisionIfPermitted(config, nc, logger);
  // Unauthenticated payloads (plaintext, forged or undecryptable) reach workflows as a marker that every
  // validator refuses and every signal handler ignores: logged here, never able to fail a workflow task.
  const codecLog = logger.child({ component: 'codec' });
  const dataConverter = loadDataConverter(config, {
    ...WORKER_POLICY,
    onMarked: (reason, detail) => codecLog.warn({ reason, detail }, 'unauthenticated payload marked'),
  });
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : {
          workflowsPath: require.resolve('../../workflows'),
          bundlerOptions: { preloadModules: WORKFLOW_BUNDLE_OPTIONS.preloadModules },
        }),
    activities: createActivities({
      js: jetstream(nc),
      streamName: config.NATS_STREAM,
      logger: logger.child({ component: 'activities' }),
    }),
    ...opts.tuning,
  });
  return { worker, connection };
}
