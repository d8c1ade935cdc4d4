/**
 * The lifecycle of a case, derived from the one place it is declared: the stage move of each command
 * (`move` in commands/*.ts). The executor makes those moves; this module turns them into the stage
 * machine, the table `cases commands` prints and the diagram in the README (`npm run docs:lifecycle`).
 * test/unit/domain-lifecycle.test.ts checks the permission matrix against it.
 */
import { CASE_COMMAND_DEFS, CASE_COMMAND_NAMES } from './commands/registry';
import type { CaseCommandName } from './permissions';
import { FINAL_STAGES, STAGES, type Stage } from './stages';

/** One move of the machine: `command`, sent while the case is in `from`, moves it to `to`. */
export interface Transition {
  from: Stage;
  to: Stage;
  command: CaseCommandName;
}

/** Every move any command makes, in stage order, then in the order the moves lead. */
export function transitions(): Transition[] {
  const all = CASE_COMMAND_NAMES.flatMap((command): Transition[] => {
    const move = CASE_COMMAND_DEFS[command].move;
    return move ? move.from.map((from) => ({ from, to: move.to, command })) : [];
  });
  const order = (s: Stage) => STAGES.indexOf(s);
  return all.sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to));
}

/** Where each stage may lead. */
export function stageMachine(): Record<Stage, Stage[]> {
  const machine = Object.fromEntries(STAGES.map((s) => [s, [] as Stage[]])) as Record<Stage, Stage[]>;
  for (const { from, to } of transitions()) if (!machine[from].includes(to)) machine[from].push(to);
  return machine;
}

/** The stages a case can reach from INTAKE, where every case opens. */
export function reachableStages(): Stage[] {
  const machine = stageMachine();
  const seen: Stage[] = ['INTAKE'];
  for (let i = 0; i < seen.length; i++) {
    for (const next of machine[seen[i]!]) if (!seen.includes(next)) seen.push(next);
  }
  return STAGES.filter((s) => seen.includes(s));
}

/** The lifecycle as a Mermaid state diagram (the README shows it). */
export function lifecycleMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> INTAKE: openCase'];
  for (const t of transitions()) lines.push(`  ${t.from} --> ${t.to}: ${t.command}`);
  for (const stage of FINAL_STAGES) lines.push(`  ${stage} --> [*]`);
  return lines.join('\n');
}
