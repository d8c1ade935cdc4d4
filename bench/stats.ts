/** Small numeric helpers shared by the benchmarks: percentiles, rounding, a monotonic clock, pacing. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Milliseconds on a monotonic clock (sub-millisecond resolution); only differences mean anything. */
export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(samples: readonly number[]): Distribution {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50), 2),
    p90: round(percentile(samples, 90), 2),
    p99: round(percentile(samples, 99), 2),
    max: round(samples.length ? Math.max(...samples) : Number.NaN, 2),
    mean: round(samples.length ? sum(samples) / samples.length : Number.NaN, 2),
  };
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const MiB = 1024 * 1024;

/**
 * Runs `task` from `workers` concurrent loops until `more()` says stop; each loop takes the next index.
 * Errors propagate (the first one rejects the whole run, the other loops finish their current item).
 */
export async function pool(
  workers: number,
  more: (i: number) => boolean,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const loop = async () => {
    while (failed === undefined && more(next)) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  if (failed !== undefined) throw failed;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks (USER_HZ = 100).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
