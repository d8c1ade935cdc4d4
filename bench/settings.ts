/**
 * Sizes and worker options of a run. Defaults fit the 15-minute budget on a 2-core machine;
 * BENCH_QUICK=1 shrinks everything for a smoke run, and each size can be overridden by its variable.
 */
import type { WorkerTuning } from './worker-child';

export interface Settings {
  quick: boolean;
  /** The whole run should end within this; B5's budget shrinks to fit what is left of it. */
  totalBudgetSeconds: number;
  /** Benchmarks to run (BENCH_ONLY=B1,B4); all by default. */
  only: ReadonlySet<string>;
  /** Worker options shared by the orchestrator worker and the baseline worker in B1, B2 and B4. */
  tuning: Required<WorkerTuning>;
  b1: { concurrency: number; phaseSeconds: number; rounds: number; warmupLifecycles: number };
  b2: { samples: number; loops: number; warmup: number; samplesPerCase: number };
  b6: { samples: number; warmup: number; samplesPerCase: number };
  b3: { cases: number; warmup: number; startConcurrency: number };
  b4: { rounds: number; caseHistories: number; noopHistories: number };
  b5: {
    cases: number;
    budgetSeconds: number;
    startConcurrency: number;
    maxBacklog: number;
    queries: number;
    memoryBudgetMiB: number;
  };
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: must be a positive number, got ${raw}`);
  return n;
}

export function loadSettings(): Settings {
  const quick = process.env.BENCH_QUICK === '1';
  const q = (full: number, small: number) => (quick ? small : full);
  const only = new Set(
    (process.env.BENCH_ONLY ?? 'B1,B2,B3,B4,B5,B6,B7')
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean),
  );
  return {
    quick,
    totalBudgetSeconds: int('BENCH_TOTAL_SECONDS', 720),
    only,
    tuning: {
      maxCachedWorkflows: int('BENCH_MAX_CACHED', 2000),
      maxConcurrentWorkflowTaskExecutions: int('BENCH_MAX_WFT', 40),
      maxConcurrentActivityTaskExecutions: int('BENCH_MAX_ACTIVITIES', 100),
    },
    b1: {
      concurrency: int('BENCH_B1_CONCURRENCY', 16),
      phaseSeconds: int('BENCH_B1_PHASE_SECONDS', q(20, 6)),
      rounds: int('BENCH_B1_ROUNDS', q(2, 1)),
      warmupLifecycles: int('BENCH_B1_WARMUP', q(16, 4)),
    },
    b2: {
      samples: int('BENCH_B2_SAMPLES', q(600, 60)),
      loops: int('BENCH_B2_LOOPS', 2),
      warmup: int('BENCH_B2_WARMUP', q(40, 6)),
      samplesPerCase: int('BENCH_B2_SAMPLES_PER_CASE', 100),
    },
    b6: {
      samples: int('BENCH_B6_SAMPLES', q(400, 40)),
      warmup: int('BENCH_B6_WARMUP', q(40, 6)),
      samplesPerCase: int('BENCH_B6_SAMPLES_PER_CASE', 100),
    },
    b3: {
      cases: int('BENCH_B3_CASES', q(300, 40)),
      warmup: int('BENCH_B3_WARMUP', q(20, 5)),
      startConcurrency: int('BENCH_B3_CONCURRENCY', 16),
    },
    b4: {
      rounds: int('BENCH_B4_ROUNDS', q(3, 1)),
      caseHistories: int('BENCH_B4_CASE_HISTORIES', q(40, 5)),
      noopHistories: int('BENCH_B4_NOOP_HISTORIES', q(300, 30)),
    },
    b5: {
      cases: int('BENCH_B5_CASES', q(10_000, 300)),
      budgetSeconds: int('BENCH_B5_BUDGET_SECONDS', q(240, 60)),
      startConcurrency: int('BENCH_B5_CONCURRENCY', 32),
      maxBacklog: int('BENCH_B5_MAX_BACKLOG', 400),
      queries: int('BENCH_B5_QUERIES', q(400, 50)),
      memoryBudgetMiB: int('BENCH_B5_MEMORY_MIB', 10_240),
    },
  };
}
