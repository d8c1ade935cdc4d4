/**
 * Task forms, generated from the command catalogue: the kind of task says which commands do its work
 * (TASK_KINDS[kind].resolvedBy, e.g. approveWarrant or denyWarrant), or that it is completed with completeTask and
 * an outcome code; each command's JSON Schema says which fields the form has. The property that the task is about
 * (warrantRef for a warrant task: the one whose pattern the task's reference matches) is fixed to the task's
 * reference; durations become an amount and a unit; enums become choices; references become choices among the
 * case's references of that kind. Validation stays with the API: the form sends what the person entered, and the
 * API's answer (the same message a script would get) is shown beside the field it names.
 *
 * Pure: no I/O and no language. The page (task-page.ts) renders the model in the person's language.
 */
import type { Actor } from '../domain/agencies';
import type { CatalogueEntry } from '../domain/catalogue';
import { taskKindSpec } from '../domain/task-kinds';
import type { HumanTask } from '../domain/tasks';

/**
 * Whether a string pattern is the domain's duration (`7d`, `12h`, `30m`): told by what it accepts, not by how it is
 * spelled, so a rewrite of the regex does not turn the field into free text.
 */
export function isDurationPattern(pattern: string | undefined): boolean {
  if (!pattern) return false;
  try {
    const re = new RegExp(pattern);
    return ['7d', '12h', '30m'].every((s) => re.test(s)) && !['d', '7', 'x7d', '7 days'].some((s) => re.test(s));
  } catch {
    return false;
  }
}

export const DURATION_UNITS = ['d', 'h', 'm'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export type Field =
  /** Set by the task itself (its reference, its id): shown, not editable. */
  | { kind: 'fixed'; name: string; value: string }
  /** One or several of a list (an enum, suggested outcomes, the case's references of a kind). */
  | {
      kind: 'choice';
      name: string;
      required: boolean;
      multiple: boolean;
      options: readonly string[];
      /** How option labels are looked up: enum values, outcome codes, or references shown as they are. */
      labels: 'enum' | 'outcome' | 'ref';
      preselected?: string;
    }
  | { kind: 'duration'; name: string; required: boolean }
  | { kind: 'number'; name: string; required: boolean; integer: boolean }
  | { kind: 'text'; name: string; required: boolean; maxLength: number };

export interface CommandForm {
  command: string;
  fields: Field[];
  /** Whether the person's agency and role may send it (the permission matrix, as the catalogue states it). */
  allowed: boolean;
  /** Who may, by agency and role (for the refusal in plain words). */
  who: CatalogueEntry['who'];
}

export interface TaskForm {
  taskId: string;
  /** `decision`: commands that record a decision close the task; `complete`: completeTask with an outcome. */
  mode: 'decision' | 'complete';
  commands: CommandForm[];
}

/** The case's references by their prefix (S, V, L, W, R, A...), from the person's view of the case. */
export type CaseRefs = Partial<Record<string, readonly string[]>>;

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  items?: PropertySchema;
}

interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/** The prefix a reference pattern such as `^W-\d{1,5}$` names. */
export function refPrefix(pattern: string | undefined): string | undefined {
  return pattern ? /^\^([A-Z]{1,3})-\\d/.exec(pattern)?.[1] : undefined;
}

function matches(pattern: string | undefined, value: string | undefined): boolean {
  if (!pattern || value === undefined) return false;
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

function fieldOf(name: string, p: PropertySchema, required: boolean, refs: CaseRefs, task?: HumanTask): Field {
  if (task && matches(p.pattern, task.id)) return { kind: 'fixed', name, value: task.id };
  if (task?.ref !== undefined && matches(p.pattern, task.ref)) return { kind: 'fixed', name, value: task.ref };
  if (p.type === 'string' && Array.isArray(p.enum)) {
    return { kind: 'choice', name, required, multiple: false, options: p.enum.map(String), labels: 'enum' };
  }
  if (p.type === 'string' && isDurationPattern(p.pattern)) {
    return { kind: 'duration', name, required };
  }
  const prefix = refPrefix(p.pattern);
  if (p.type === 'string' && prefix && refs[prefix]) {
    return { kind: 'choice', name, required, multiple: false, options: [...refs[prefix]], labels: 'ref' };
  }
  if (p.type === 'array' && p.items?.type === 'string') {
    if (Array.isArray(p.items.enum)) {
      return { kind: 'choice', name, required, multiple: true, options: p.items.enum.map(String), labels: 'enum' };
    }
    const itemPrefix = refPrefix(p.items.pattern);
    if (itemPrefix && refs[itemPrefix]) {
      return { kind: 'choice', name, required, multiple: true, options: [...refs[itemPrefix]], labels: 'ref' };
    }
  }
  if (p.type === 'integer' || p.type === 'number')
    return { kind: 'number', name, required, integer: p.type === 'integer' };
  return { kind: 'text', name, required, maxLength: Math.min(p.maxLength ?? 200, 500) };
}

function mayIssue(entry: CatalogueEntry, actor: Pick<Actor, 'agency' | 'roles'>): boolean {
  // Task commands (claimTask, unclaimTask, completeTask) are open to whoever holds the task: the rules decide.
  if (entry.kind === 'task') return true;
  const roles: readonly string[] = entry.who[actor.agency] ?? [];
  return actor.roles.some((r) => roles.includes(r));
}

/**
 * The form of one command. With a task, the fields the task determines are fixed (its id, its reference); without
 * one (an action on a case page), every field is the person's to fill.
 */
export function commandForm(
  entry: CatalogueEntry,
  actor: Pick<Actor, 'agency' | 'roles'>,
  refs: CaseRefs = {},
  task?: HumanTask,
): CommandForm {
  const schema = entry.args as ObjectSchema;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, p]) =>
    fieldOf(name, p, required.has(name), refs, task),
  );
  if (entry.name === 'completeTask' && task) {
    // The outcome is free text for the API; the kind of task suggests its codes, offered as a choice.
    const outcomes = taskKindSpec(task.kind)?.outcomes ?? [];
    const i = fields.findIndex((f) => f.name === 'outcome');
    if (i >= 0 && outcomes.length > 0) {
      fields[i] = {
        kind: 'choice',
        name: 'outcome',
        required: false,
        multiple: false,
        options: outcomes,
        labels: 'outcome',
        ...(outcomes.length === 1 ? { preselected: outcomes[0] } : {}),
      };
    }
  }
  return { command: entry.name, fields, allowed: mayIssue(entry, actor), who: entry.who };
}

/** The form of a task: the commands that close it, or completeTask. */
export function taskForm(
  task: HumanTask,
  catalogue: readonly CatalogueEntry[],
  actor: Pick<Actor, 'agency' | 'roles'>,
  refs: CaseRefs = {},
): TaskForm {
  const resolvedBy = taskKindSpec(task.kind)?.resolvedBy;
  const names: readonly string[] = resolvedBy ?? ['completeTask'];
  const commands = names
    .map((name) => catalogue.find((c) => c.name === name))
    .filter((c): c is CatalogueEntry => c !== undefined)
    .map((entry) => commandForm(entry, actor, refs, task));
  return { taskId: task.id, mode: resolvedBy ? 'decision' : 'complete', commands };
}

/**
 * Commands staff may send from a case page (beyond those that do a task's work), when their role and the case's
 * stage allow: the form is generated like a task's. Commands that take free text about people (names) are left to
 * the agencies' own systems and the CLI.
 */
export const CASE_ACTIONS = ['requestWarrant'] as const;

export function caseActionForms(
  catalogue: readonly CatalogueEntry[],
  actor: Pick<Actor, 'agency' | 'roles'>,
  stage: string | undefined,
  refs: CaseRefs,
): CommandForm[] {
  return CASE_ACTIONS.map((name) => catalogue.find((c) => c.name === name))
    .filter((c): c is CatalogueEntry => c !== undefined)
    .filter((c) => c.stages === 'any' || (stage !== undefined && (c.stages as readonly string[]).includes(stage)))
    .map((c) => commandForm(c, actor, refs))
    .filter((f) => f.allowed);
}

/** A submitted form body, as the urlencoded parser gives it (a repeated name gives a list). */
export type FormBody = Record<string, string | string[] | undefined>;

/** The HTML name of a field's control (prefixed, so no field can clash with the form's own controls). */
export const controlName = (field: string, part?: 'amount' | 'unit'): string => `f.${field}${part ? `.${part}` : ''}`;

const MAX_VALUE = 500;
const MAX_VALUES = 100;

function one(body: FormBody, name: string): string | undefined {
  const v = body[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim().slice(0, MAX_VALUE);
}

function many(body: FormBody, name: string): string[] {
  const v = body[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.slice(0, MAX_VALUES).map((s) => s.trim().slice(0, MAX_VALUE));
}

/**
 * The command's arguments from a submitted form. Fixed fields come from the form model, never from the body; empty
 * optional fields are left out (the policy default applies); values are passed on for the API to validate.
 */
export function argsFromForm(form: CommandForm, body: FormBody): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const field of form.fields) {
    switch (field.kind) {
      case 'fixed':
        args[field.name] = field.value;
        break;
      case 'choice': {
        if (field.multiple) {
          const values = many(body, controlName(field.name)).filter(Boolean);
          if (values.length > 0 || field.required) args[field.name] = values;
        } else {
          const value = one(body, controlName(field.name));
          if (value) args[field.name] = value;
        }
        break;
      }
      case 'duration': {
        const amount = one(body, controlName(field.name, 'amount'));
        const unit = one(body, controlName(field.name, 'unit'));
        if (amount)
          args[field.name] = `${amount}${unit && (DURATION_UNITS as readonly string[]).includes(unit) ? unit : 'd'}`;
        break;
      }
      case 'number': {
        const value = one(body, controlName(field.name));
        if (value) args[field.name] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
        break;
      }
      case 'text': {
        const value = one(body, controlName(field.name));
        if (value) args[field.name] = value.slice(0, field.maxLength);
        break;
      }
      default: {
        const _exhaustive: never = field;
        return _exhaustive;
      }
    }
  }
  return args;
}

/** The field an API message names (`args.validFor: must be...` → validFor), if it is one of the form's. */
export function fieldOfDetail(form: CommandForm, detail: string): string | undefined {
  const name = /^(?:args\.)?([A-Za-z]+)(?:\.\d+)?:/.exec(detail)?.[1];
  return form.fields.some((f) => f.name === name && f.kind !== 'fixed') ? name : undefined;
}
