/**
 * Baseline workflows for the benchmarks (bundled on their own, run by a bench worker on its own task
 * queue with the same worker options and data converter as the orchestrator worker):
 * - noopWorkflow: one activity and done (B1's unit of work, B4's baseline history);
 * - waitingWorkflow: `await condition(() => false)`, the emptiest open workflow (B3's baseline);
 * - pingWorkflow: waits forever with a no-op Update (B2's floor: the bare update round trip).
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BenchActivities {
  noopActivity(): Promise<void>;
}

const { noopActivity } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });

export const pingUpdate = defineUpdate<null>('ping');

export async function noopWorkflow(): Promise<void> {
  await noopActivity();
}

export async function waitingWorkflow(): Promise<void> {
  await condition(() => false);
}

export async function pingWorkflow(): Promise<void> {
  setHandler(pingUpdate, () => null);
  await condition(() => false);
}
