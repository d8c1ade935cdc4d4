/**
 * Determinism guard: committed histories of real runs (test/histories, recorded with
 * `npm run record-histories`) must replay against today's workflow code, bundled as the worker bundles
 * it (the domain preloaded). A change that would break running cases fails here; make it with
 * patched()/deprecatePatch() instead. Histories recorded by earlier code stay, in a folder named after
 * the change that followed them (before-steady-timer/: publication as a regular activity, a timer
 * re-armed on every wake; before-case-rules/: a verdict final when given, a lapse answered by "release or
 * extend", officials named by agency, arrests without a legal basis), so that the old branches of every patch
 * keep being replayed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/temporal/worker';

jest.setTimeout(120_000);

const root = join(__dirname, '..', 'histories');
const RECORDINGS = ['', 'before-case-rules', 'before-steady-timer'];
const histories = RECORDINGS.flatMap((recording) =>
  readdirSync(join(root, recording))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      workflowId: join(recording, f.replace(/\.json$/, '')),
      history: JSON.parse(readFileSync(join(root, recording, f), 'utf8')) as unknown,
    })),
);

const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, log: () => {} };
const bundle = (workflowsPath: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath, ...WORKFLOW_BUNDLE_OPTIONS, logger: quiet });

async function replayAll(workflowBundle: WorkflowBundle) {
  const results = [];
  const options = { workflowBundle, dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } };
  for await (const r of Worker.runReplayHistories(options, histories)) results.push(r);
  return results;
}

const TYPES = ['case-continued-as-new', 'case-lifecycle', 'child-protection', 'raid-operation'];

it('has committed histories of every workflow type, from today and from before each patch', () => {
  expect(histories.map((h) => h.workflowId).sort()).toEqual(
    RECORDINGS.flatMap((recording) => TYPES.map((t) => join(recording, t))).sort(),
  );
});

it('replays every committed history against the current workflow code', async () => {
  const results = await replayAll(await bundle(require.resolve('../../workflows')));
  for (const r of results) {
    expect({ workflowId: r.workflowId, error: r.error?.message }).toEqual({
      workflowId: r.workflowId,
      error: undefined,
    });
  }
});

it('fails on a non-deterministic change', async () => {
  // The same workflows, except the case workflow now sleeps before anything else: a new command.
  const results = await replayAll(await bundle(require.resolve('./fixtures/nondeterministic-workflows')));
  for (const id of RECORDINGS.map((recording) => join(recording, 'case-lifecycle'))) {
    expect(results.find((r) => r.workflowId === id)!.error).toBeInstanceOf(DeterminismViolationError);
  }
});
