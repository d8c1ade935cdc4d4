/** What every benchmark gets from the runner: the stack, bundles, a client, NATS, settings. */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Client } from '@temporalio/client';
import { CaseService } from '../src/temporal/case-service';
import type { Config } from '../src/config';
import type { Bundles } from './bundles';
import type { Settings } from './settings';
import type { BenchStack } from './stack';
import type { WorkerProcess } from './worker-process';

export interface BenchContext {
  settings: Settings;
  stack: BenchStack;
  bundles: Bundles;
  /** Upper-case tag in every case id of the run. */
  runTag: string;
  /** Worker logs go here (bench-results/logs). */
  logDir: string;
  config: Config;
  client: Client;
  nc: NatsConnection;
  log(message: string): void;
}

/** The orchestrator worker and the baseline worker, same options, each on its own task queue. */
export interface WorkerPair {
  caseQueue: string;
  caseWorker: WorkerProcess;
  benchQueue: string;
  benchWorker: WorkerProcess;
}

export function casesClient(ctx: BenchContext, taskQueue: string): CaseService {
  return new CaseService(ctx.client, { TEMPORAL_TASK_QUEUE: taskQueue });
}

/** History length and the server's state-transition count of one workflow execution. */
export async function describeCounts(
  client: Client,
  workflowId: string,
): Promise<{ events: number; transitions: number }> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const transitions = Number(d.raw.workflowExecutionInfo?.stateTransitionCount ?? 0);
  return { events: d.historyLength, transitions };
}
