/**
 * Jest global setup for the "integration" project: one Temporal dev server and one nats-server for the
 * whole run, on free ports with temp data. Tests find them through TEMPORAL_ADDRESS and NATS_URL, and
 * testStack() (test/support/stack.ts) for restarts.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, startTemporalDevServer } from './servers';
import { guardStack, STACK_GLOBAL, StackGlobal, writeStackState } from './stack';

export default async function globalSetup(): Promise<void> {
  const file = join(tmpdir(), `case-test-stack-${process.pid}.json`);
  // Installed before anything starts: a Ctrl-C while the servers boot must not orphan them.
  const unguard = guardStack(file);
  const started = Date.now();
  const timed = <T>(p: Promise<T>) => p.then((server) => ({ server, ms: Date.now() - started }));
  const results = await Promise.allSettled([timed(startTemporalDevServer()), timed(startNatsServer())]);
  const [temporalResult, natsResult] = results;
  if (temporalResult.status === 'rejected' || natsResult.status === 'rejected') {
    // Do not leave the one that did start behind.
    for (const r of results) if (r.status === 'fulfilled') await r.value.server.stop({ removeData: true });
    unguard();
    throw results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))[0];
  }
  const { server: temporal, ms: temporalMs } = temporalResult.value;
  const { server: nats, ms: natsMs } = natsResult.value;

  writeStackState({ temporal: temporal.record, nats: nats.record }, file);
  process.env.CASE_TEST_STACK_FILE = file;
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.NATS_URL = nats.url;
  (globalThis as Record<symbol, unknown>)[STACK_GLOBAL] = {
    temporal,
    nats,
    unguard,
  } satisfies StackGlobal;

  process.stdout.write(
    `\n[test stack] Temporal ${temporal.address} ready in ${temporalMs} ms; NATS ${nats.url} ready in ${natsMs} ms\n`,
  );
}
