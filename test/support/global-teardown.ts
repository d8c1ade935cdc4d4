/**
 * Jest global teardown for the "integration" project: stops the servers the global setup started. Tests
 * may have restarted them (new pids, recorded in the stack file), so the file is the authority on pids;
 * the handles are stopped too, which is a no-op for a pid that no longer runs the server.
 */
import { existsSync, rmSync } from 'node:fs';
import { stopServer } from './servers';
import { readStackState, STACK_GLOBAL, StackGlobal } from './stack';

export default async function globalTeardown(): Promise<void> {
  const handles = (globalThis as Record<symbol, unknown>)[STACK_GLOBAL] as StackGlobal | undefined;
  const file = process.env.CASE_TEST_STACK_FILE;
  // CASE_TEST_KEEP_DATA=1 keeps the temp dirs (server logs, Temporal db, JetStream store) for a post-mortem.
  const removeData = !process.env.CASE_TEST_KEEP_DATA;
  if (file && existsSync(file)) {
    const state = readStackState(file);
    await Promise.all([stopServer(state.temporal, { removeData }), stopServer(state.nats, { removeData })]);
    if (!removeData) process.stdout.write(`[test stack] kept ${state.temporal.tempDir} and ${state.nats.tempDir}\n`);
    rmSync(file, { force: true });
  }
  if (handles) {
    await Promise.all([handles.temporal.stop({ removeData }), handles.nats.stop({ removeData })]);
    handles.unguard();
  }
}
