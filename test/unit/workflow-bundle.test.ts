/**
 * What a cached workflow costs is mostly the modules it evaluates. The workflow bundle, as the worker
 * builds it, must keep zod out (it stays with the gateway and clients), and every domain module the
 * workflows use must be preloaded (src/domain/preload.ts): evaluated once per worker thread and shared,
 * not once per case. Preloaded modules are frozen and shared by every workflow, so they must not reach
 * the Temporal workflow API (whose state is per workflow).
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/temporal/worker';

jest.setTimeout(120_000);

type Graph = Map<string, string[]>;

/** The bundle's modules and what each requires (webpack's development output names both by path). */
function moduleGraph(code: string): Graph {
  const graph: Graph = new Map();
  const sections = code.split(/^\/\*\*\*\/ "([^"]+)":?$/m);
  for (let i = 1; i < sections.length; i += 2) {
    const body = sections[i + 1]!.split(/^\/\*\*\*\/ \}/m)[0]!; // up to the module's end
    const requires = [...body.matchAll(/__webpack_require__\(\/\*![^*]*\*\/ "([^"]+)"\)/g)].map((m) => m[1]!);
    graph.set(sections[i]!, requires);
  }
  return graph;
}

function reachable(graph: Graph, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of graph.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

let graph: Graph;
beforeAll(async () => {
  const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, log: () => {} };
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: quiet,
  });
  graph = moduleGraph(code);
});

it('has no zod in it', () => {
  expect(graph.size).toBeGreaterThan(50);
  expect([...graph.keys()].filter((id) => id.includes('/zod/'))).toEqual([]);
});

it('preloads every domain module the workflows use', () => {
  const used = [...reachable(graph, './workflows/index.ts')].filter((id) => id.startsWith('./src/domain/'));
  const preloaded = reachable(graph, './src/domain/preload.ts');
  expect(used.length).toBeGreaterThan(10);
  expect(used.filter((id) => !preloaded.has(id))).toEqual([]);
});

it('preloads nothing but the domain: no Temporal API, no state of a workflow', () => {
  const preloaded = [...reachable(graph, './src/domain/preload.ts')];
  expect(preloaded.filter((id) => !id.startsWith('./src/domain/'))).toEqual([]);
});
