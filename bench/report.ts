/** The results table (stdout) and the JSON record (bench-results/latest.json). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { B1Result } from './b1-throughput';
import type { B2Result } from './b2-latency';
import type { B3Result } from './b3-memory';
import type { B4Result } from './b4-replay';
import type { B5Result } from './b5-scale';
import type { B6Result } from './b6-gateway';
import type { B7Result } from './b7-inbox';
import { round } from './stats';

export interface Results {
  B1?: B1Result | { error: string };
  B2?: B2Result | { error: string };
  B3?: B3Result | { error: string };
  B4?: B4Result | { error: string };
  B5?: B5Result | { error: string };
  B6?: B6Result | { error: string };
  B7?: B7Result | { error: string };
}

export interface Row {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  result: 'pass' | 'short' | 'info' | 'error' | 'partial';
}

export function machine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  const version = (bin: string) => {
    try {
      return execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '';
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: cpus().length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    cpuModel,
    node: process.version,
    temporal: version('temporal'),
    natsServer: version('nats-server'),
    loadAverage: loadavg().map((x) => round(x, 2)),
  };
}

const ok = <T extends object>(r: T | { error: string } | undefined): r is T => r !== undefined && !('error' in r);
const verdict = (pass: boolean): Row['result'] => (pass ? 'pass' : 'short');
const f = (x: number, digits = 2) => (Number.isFinite(x) ? String(round(x, digits)) : 'n/a');

export function rows(results: Results): Row[] {
  const out: Row[] = [];
  const error = (figure: string, r: { error: string }) =>
    out.push({
      figure,
      measured: r.error.split('\n')[0]!.slice(0, 60),
      baseline: '',
      ratio: '',
      target: '',
      result: 'error',
    });

  const { B1, B2, B3, B4, B5, B6, B7 } = results;
  if (B1 && !ok(B1)) error('B1 case throughput', B1);
  else if (B1) {
    out.push({
      figure: 'B1 throughput (history events/s)',
      measured: `${f(B1.case.windowEventsPerSecond, 1)}`,
      baseline: `${f(B1.baseline.windowEventsPerSecond, 1)}`,
      ratio: f(B1.ratio),
      target: '>= 0.8',
      result: verdict(B1.ratio >= 0.8),
    });
    out.push({
      figure: 'B1 same, workflow tasks completed/s',
      measured: f(B1.case.windowWorkflowTasksPerSecond, 1),
      baseline: f(B1.baseline.windowWorkflowTasksPerSecond, 1),
      ratio: f(B1.ratioWorkflowTasks),
      target: '(info)',
      result: 'info',
    });
    out.push({
      figure: 'B1 whole units, server state transitions/s',
      measured: f(B1.case.transitionsPerSecond, 1),
      baseline: f(B1.baseline.transitionsPerSecond, 1),
      ratio: f(B1.ratioStateTransitions),
      target: '>= 0.8',
      result: verdict(B1.ratioStateTransitions >= 0.8),
    });
  }
  if (B2 && !ok(B2)) error('B2 notification latency', B2);
  else if (B2) {
    out.push({
      figure: 'B2 command->agency consumer p50 (ms)',
      measured: f(B2.latency.p50, 1),
      baseline: f(B2.floor.p50, 1),
      ratio: f(B2.ratioP50),
      target: '(info)',
      result: 'info',
    });
    out.push({
      figure: 'B2 command->agency consumer p99 (ms)',
      measured: f(B2.latency.p99, 1),
      baseline: f(B2.floor.p99, 1),
      ratio: f(B2.ratioP99),
      target: '<= 1.5',
      result: verdict(B2.ratioP99 <= 1.5),
    });
  }
  if (B6 && !ok(B6)) error('B6 command through the gateway', B6);
  else if (B6) {
    out.push({
      figure: 'B6 command via gateway vs direct Update p99 (ms)',
      measured: f(B6.gateway.p99, 1),
      baseline: f(B6.direct.p99, 1),
      ratio: f(B6.ratioP99),
      target: '<= 1.3',
      result: verdict(B6.ratioP99 <= 1.3),
    });
  }
  if (B7 && !ok(B7)) error('B7 task visible in an open browser inbox', B7);
  else if (B7) {
    out.push({
      figure: 'B7 command accepted->row in open web inbox p99 (ms)',
      measured: f(B7.visible.p99, 1),
      baseline: f(B7.floor.p99, 1),
      ratio: f(B7.ratioP99),
      target: '<= 2',
      result: verdict(B7.ratioP99 <= 2),
    });
  }
  if (B3 && !ok(B3)) error('B3 worker memory', B3);
  else if (B3) {
    out.push({
      figure: 'B3 worker RSS per open case (MiB)',
      measured: f(B3.cases.perWorkflowMiB, 3),
      baseline: f(B3.waiting.perWorkflowMiB, 3),
      ratio: f(B3.ratio),
      target: '<= 2',
      result: verdict(B3.ratio <= 2),
    });
    out.push({
      figure: 'B3 workflow-thread V8 heap per case (KiB)',
      measured: f(B3.cases.perWorkflowWorkflowHeapKiB, 0),
      baseline: f(B3.waiting.perWorkflowWorkflowHeapKiB, 0),
      ratio: f(B3.cases.perWorkflowWorkflowHeapKiB / B3.waiting.perWorkflowWorkflowHeapKiB, 1),
      target: '(info)',
      result: 'info',
    });
    out.push({
      figure: 'B3 absolute per case (MiB)',
      measured: f(B3.perCaseMiB, 3),
      baseline: '',
      ratio: '',
      target: '<= 0.5 MiB',
      result: verdict(B3.perCaseMiB <= 0.5),
    });
  }
  if (B4 && !ok(B4)) error('B4 replay cost', B4);
  else if (B4) {
    out.push({
      figure: 'B4 replay cost (us/history event)',
      measured: f(B4.case.medianMicrosPerEvent, 1),
      baseline: f(B4.noop.medianMicrosPerEvent, 1),
      ratio: f(B4.ratio),
      target: '<= 1.5',
      result: verdict(B4.ratio <= 1.5),
    });
  }
  if (B5 && !ok(B5)) error('B5 scale', B5);
  else if (B5) {
    out.push({
      figure: 'B5 cases open at once (one worker)',
      measured: String(B5.opened),
      baseline: '',
      ratio: '',
      target: String(B5.target),
      result: B5.reachedTarget ? 'pass' : 'partial',
    });
    out.push({
      figure: 'B5 start rate (cases/s)',
      measured: f(B5.startRate, 1),
      baseline: '',
      ratio: '',
      target: '(report)',
      result: 'info',
    });
    out.push({
      figure: 'B5 query p99 (ms), random open case',
      measured: f(B5.query.p99, 1),
      baseline: '',
      ratio: '',
      target: '(report)',
      result: 'info',
    });
    out.push({
      figure: 'B5 worker RSS (MiB)',
      measured: f(B5.rssMiB, 0),
      baseline: '',
      ratio: '',
      target: '<= 4096',
      result: verdict(B5.rssMiB <= 4096),
    });
  }
  return out;
}

export function formatTable(table: Row[]): string {
  const header: Row = {
    figure: 'figure',
    measured: 'measured',
    baseline: 'baseline',
    ratio: 'ratio',
    target: 'target',
    result: 'result' as Row['result'],
  };
  const cols = ['figure', 'measured', 'baseline', 'ratio', 'target', 'result'] as const;
  const width = Object.fromEntries(
    cols.map((c) => [c, Math.max(...[header, ...table].map((r) => r[c].length))]),
  ) as Record<(typeof cols)[number], number>;
  const line = (r: Row) =>
    cols.map((c) => (c === 'figure' ? r[c].padEnd(width[c]) : r[c].padStart(width[c]))).join('  ');
  return [line(header), cols.map((c) => '-'.repeat(width[c])).join('  '), ...table.map(line)].join('\n');
}
