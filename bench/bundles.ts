/**
 * The two workflow bundles of a run, built once and written to disk so that every worker process (and
 * the replayers) loads the same code without bundling again: the orchestrator's workflows/, bundled as
 * the worker bundles them (WORKFLOW_BUNDLE_OPTIONS: the domain preloaded), and the bench's baseline
 * workflows, with the project's failure converter as the real worker has.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/temporal/data-converter';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/temporal/worker';
import { makeTempDir } from '../test/support/proc';

export interface Bundles {
  /** workflows/ (caseWorkflow, raidOperationWorkflow, childProtectionWorkflow) */
  casePath: string;
  /** bench/workflows.ts (noopWorkflow, waitingWorkflow, pingWorkflow) */
  benchPath: string;
}

const quiet = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (m: string) => console.error(m),
  log: () => {},
};

export async function buildBundles(): Promise<Bundles> {
  const dir = makeTempDir('case-bench-bundles-');
  const write = async (name: string, workflowsPath: string, options: { preloadModules?: string[] } = {}) => {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quiet,
      ...options,
    });
    const path = join(dir, `${name}.js`);
    writeFileSync(path, code);
    return path;
  };
  return {
    casePath: await write('case-workflows', require.resolve('../workflows'), WORKFLOW_BUNDLE_OPTIONS),
    benchPath: await write('bench-workflows', require.resolve('./workflows')),
  };
}
