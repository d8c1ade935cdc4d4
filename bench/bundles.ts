/**
 * The two workflow bundles of a run, built once and written to disk so that every worker process (and
 * the replayers) loads the same code without bundling again: the orchestrator's workflows/ and the
 * bench's baseline workflows. Both with the project's failure converter, as the real worker has.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/temporal/data-converter';
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

/**
 * BENCH_PRELOAD_MODULES=zod (comma-separated) bundles the orchestrator's workflows with the SDK's
 * `preloadModules` option, to measure that change before making it in the worker; unset, the bundle is
 * exactly what the worker builds.
 */
export function preloadModules(): string[] {
  return (process.env.BENCH_PRELOAD_MODULES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function buildBundles(): Promise<Bundles> {
  const dir = makeTempDir('case-bench-bundles-');
  const write = async (name: string, workflowsPath: string, preload: string[] = []) => {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quiet,
      ...(preload.length ? { preloadModules: preload } : {}),
    });
    const path = join(dir, `${name}.js`);
    writeFileSync(path, code);
    return path;
  };
  return {
    casePath: await write('case-workflows', require.resolve('../workflows'), preloadModules()),
    benchPath: await write('bench-workflows', require.resolve('./workflows')),
  };
}
