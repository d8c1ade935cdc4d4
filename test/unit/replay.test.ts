/**
 * Determinism guard: committed histories of real runs (test/histories, recorded with
 * `npm run record-histories`) must replay against today's workflow code. A change that would break
 * running cases fails here; make it with patched()/deprecatePatch() instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';

jest.setTimeout(120_000);

const dir = join(__dirname, '..', 'histories');
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown }));

const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, log: () => {} };
const bundle = (workflowsPath: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, logger: quiet });

async function replayAll(workflowBundle: WorkflowBundle) {
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle, dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } }, histories)) {
    results.push(r);
  }
  return results;
}

it('has committed histories of every workflow type', () => {
  expect(histories.map((h) => h.workflowId).sort()).toEqual(['case-continued-as-new', 'case-lifecycle', 'child-protection', 'raid-operation']);
});

it('replays every committed history against the current workflow code', async () => {
  const results = await replayAll(await bundle(require.resolve('../../workflows')));
  for (const r of results) expect({ workflowId: r.workflowId, error: r.error?.message }).toEqual({ workflowId: r.workflowId, error: undefined });
});

it('fails on a non-deterministic change', async () => {
  // The same workflows, except the case workflow now sleeps before anything else: a new command.
  const results = await replayAll(await bundle(require.resolve('./fixtures/nondeterministic-workflows')));
  const lifecycle = results.find((r) => r.workflowId === 'case-lifecycle')!;
  expect(lifecycle.error?.name).toBe('DeterminismViolationError');
});
