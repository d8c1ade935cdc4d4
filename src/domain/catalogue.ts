/**
 * The command catalogue: every command an agency can send, who may send it, in which stages, and the JSON
 * Schema of its arguments (codes of the vocabulary listed as the deployment's policy has them); the case
 * policy's own format (`casePolicy`: what CASE_POLICY_FILE holds, and the deployment's values); and the
 * lifecycle those commands make. One source for `cases commands --json`, the gateway's OpenAPI document and
 * the staff web app's task forms.
 */
import { z } from 'zod';
import { ROLE_NAMES, rolesOf, type Agency, type AgencyRole } from './agencies';
import { OpenCaseInput } from './case';
import { CASE_COMMANDS } from './commands';
import { transitions } from './lifecycle';
import { OPEN_CASE, PERMISSIONS, type Who } from './permissions';
import { DeadlinePolicy, resolvePolicy, VOCABULARY_LISTS, type VocabularyList } from './policy';
import type { Stage } from './stages';
import { TASK_COMMANDS } from './task-commands';

export interface CatalogueEntry {
  name: string;
  summary: string;
  /** `policy`: not a command, the format of the case policy (CASE_POLICY_FILE), with the deployment's values. */
  kind: 'open' | 'case' | 'task' | 'policy';
  /** Agency → the roles of its staff who may send it. */
  who: Partial<Record<Agency, readonly AgencyRole[]>>;
  /** Who may send it, in plain words. */
  whoText: string;
  stages: readonly Stage[] | 'any';
  args: Record<string, unknown>;
  /** For `casePolicy`: the policy new cases open under (the deployment's, over the defaults). */
  values?: DeadlinePolicy;
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

/** Lists the codes of the vocabulary where a schema takes one (`x-vocabulary`), as `enum`. */
function withVocabulary(node: unknown, policy: DeadlinePolicy): unknown {
  if (Array.isArray(node)) return node.map((n) => withVocabulary(n, policy));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = withVocabulary(v, policy);
  const list = out['x-vocabulary'];
  if (typeof list === 'string' && (VOCABULARY_LISTS as readonly string[]).includes(list)) {
    delete out.pattern;
    out.enum = [...policy.vocabulary[list as VocabularyList]];
  }
  return out;
}

/**
 * The catalogue under a deployment's policy (the defaults if none): vocabulary fields list its codes. A
 * case checks codes against the vocabulary it opened with (`cases policy <caseId>`).
 */
export function commandCatalogue(policy: DeadlinePolicy = resolvePolicy()): CatalogueEntry[] {
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
    args: withVocabulary(jsonSchemaOf(CASE_COMMANDS[name].args), policy) as Record<string, unknown>,
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
  const casePolicy: CatalogueEntry = {
    name: 'casePolicy',
    summary:
      'Not a command: the case policy, deadlines and vocabulary. A deployment sets it in the JSON file ' +
      'CASE_POLICY_FILE names (deep-merged over the defaults: give only what differs; a list replaces the ' +
      "default list); each case keeps the policy it opened with. `values` is this deployment's; see `cases policy`.",
    kind: 'policy',
    who: {},
    whoText: 'the deployment (configuration)',
    stages: 'any',
    args: jsonSchemaOf(DeadlinePolicy),
    values: policy,
  };
  return [open, ...cases, ...tasks, casePolicy];
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
