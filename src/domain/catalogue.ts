/**
 * The command catalogue: every command an agency can send, who may send it, in which stages, and the JSON
 * Schema of its arguments; and the lifecycle those commands make. One source for `cases commands --json`,
 * the gateway's OpenAPI document and the staff web app's task forms.
 */
import { z } from 'zod';
import { ROLE_NAMES, rolesOf, type Agency, type AgencyRole } from './agencies';
import { OpenCaseInput } from './case';
import { CASE_COMMANDS } from './commands';
import { transitions } from './lifecycle';
import { OPEN_CASE, PERMISSIONS, type Who } from './permissions';
import type { Stage } from './stages';
import { TASK_COMMANDS } from './task-commands';

export interface CatalogueEntry {
  name: string;
  summary: string;
  kind: 'open' | 'case' | 'task';
  /** Agency → the roles of its staff who may send it. */
  who: Partial<Record<Agency, readonly AgencyRole[]>>;
  /** Who may send it, in plain words. */
  whoText: string;
  stages: readonly Stage[] | 'any';
  args: Record<string, unknown>;
}

function expandWho(who: Who): Partial<Record<Agency, readonly AgencyRole[]>> {
  return Object.fromEntries(
    (Object.entries(who) as [Agency, readonly AgencyRole[] | 'any'][]).map(([a, r]) => [
      a,
      r === 'any' ? rolesOf(a) : r,
    ]),
  );
}

function whoText(who: Who): string {
  return (Object.entries(expandWho(who)) as [Agency, readonly AgencyRole[]][])
    .map(([agency, roles]) => `${agency} (${roles.map((r) => ROLE_NAMES[r]).join(', ')})`)
    .join('; ');
}

export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export function commandCatalogue(): CatalogueEntry[] {
  const open: CatalogueEntry = {
    name: 'openCase',
    summary: 'Open a case. Idempotent: opening the same case id again changes nothing and says so.',
    kind: 'open',
    who: expandWho(OPEN_CASE),
    whoText: whoText(OPEN_CASE),
    stages: 'any',
    args: jsonSchemaOf(OpenCaseInput),
  };
  const cases = (Object.keys(CASE_COMMANDS) as (keyof typeof CASE_COMMANDS)[]).map((name): CatalogueEntry => ({
    name,
    summary: CASE_COMMANDS[name].summary,
    kind: 'case',
    who: expandWho(PERMISSIONS[name].who),
    whoText: whoText(PERMISSIONS[name].who),
    stages: PERMISSIONS[name].stages,
    args: jsonSchemaOf(CASE_COMMANDS[name].args),
  }));
  const tasks = (Object.keys(TASK_COMMANDS) as (keyof typeof TASK_COMMANDS)[]).map((name): CatalogueEntry => ({
    name,
    summary: TASK_COMMANDS[name].summary,
    kind: 'task',
    who: {},
    whoText: 'staff of the assignee agency (or, once escalated, of the escalation agencies)',
    stages: 'any',
    args: jsonSchemaOf(TASK_COMMANDS[name].args),
  }));
  return [open, ...cases, ...tasks];
}

/** One row of the lifecycle table `cases commands` prints: a command that moves a case, who may send it. */
export type LifecycleRow = {
  from: Stage | '(new case)';
  to: Stage;
  command: string;
  who: string;
};

/** The lifecycle, as declared by the commands (src/domain/lifecycle.ts), with who may make each move. */
export function lifecycle(): LifecycleRow[] {
  return [
    { from: '(new case)', to: 'INTAKE', command: 'openCase', who: whoText(OPEN_CASE) },
    ...transitions().map(({ from, to, command }) => ({ from, to, command, who: whoText(PERMISSIONS[command].who) })),
  ];
}
