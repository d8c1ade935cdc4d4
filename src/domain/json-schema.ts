/**
 * A small checker for the JSON Schemas that are generated from the input schemas (generate-schemas.ts),
 * so that workflow code validates what the gateway validated without evaluating zod in every workflow.
 * It knows the subset of JSON Schema that z.toJSONSchema writes for our inputs, plus three extensions:
 * `x-messages` (a schema's own wording of a rule, keyed by keyword), `x-trim` (text is trimmed before its
 * rules apply) and `x-rules` (named rules JSON Schema cannot say, see argument-rules.ts).
 *
 * It reports the first issue in the order zod reports them, worded as zod words them, and returns the
 * value as zod would: defaults applied, text trimmed, unknown keys of non-strict objects dropped. The
 * input is never changed, and nothing of a schema (a default) is handed out without being copied.
 */
import { argumentRule } from './argument-rules';
import type { InputIssue } from './errors';

type Primitive = string | number | boolean | null;
type Keyword =
  | 'type'
  | 'enum'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'minimum'
  | 'maximum'
  | 'exclusiveMinimum'
  | 'exclusiveMaximum'
  | 'minItems'
  | 'maxItems';

export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly Primitive[];
  readonly const?: Primitive;
  readonly default?: unknown;
  readonly 'x-messages'?: Readonly<Partial<Record<Keyword, string>>>;
  readonly 'x-trim'?: boolean;
  readonly 'x-rules'?: readonly string[];
}

/** Every keyword the checker understands; the generator refuses a schema that uses any other. */
export const KNOWN_KEYWORDS: readonly string[] = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'enum',
  'const',
  'default',
  'x-messages',
  'x-trim',
  'x-rules',
];

type Path = readonly (string | number)[];
export type Checked = { ok: true; value: unknown } | { ok: false; issue: InputIssue };

/** Checks `value` against `schema`: the value as a command handler receives it, or the first issue. */
export function checkInput(schema: JsonSchema, value: unknown): Checked {
  return walk(schema, value, []);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Bound once: in workflow code every lookup of a global (Array, Number, Object...) is a call through the
// sandbox's interceptor, and the checker looks up several per value it walks.
const { isArray } = Array;
const { isFinite, isInteger, isNaN } = Number;
const { keys, entries, getPrototypeOf, getOwnPropertyDescriptor } = Object;
const { hasOwnProperty } = Object.prototype;
const { parse, stringify } = JSON;

function walk(schema: JsonSchema, value: unknown, path: Path): Checked {
  if (schema.const !== undefined)
    return value === schema.const ? accept(schema, value, path) : fail(path, expectedOne(schema.const));
  if (schema.enum !== undefined) {
    return schema.enum.includes(value as Primitive) ? accept(schema, value, path) : fail(path, enumMessage(schema));
  }
  switch (schema.type) {
    case undefined:
      return { ok: true, value };
    case 'string':
      return walkString(schema, value, path);
    case 'number':
    case 'integer':
      return walkNumber(schema, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? accept(schema, value, path) : typeIssue(schema, 'boolean', value, path);
    case 'null':
      return value === null ? accept(schema, value, path) : typeIssue(schema, 'null', value, path);
    case 'array':
      return walkArray(schema, value, path);
    case 'object':
      return walkObject(schema, value, path);
    default: {
      const _exhaustive: never = schema.type;
      throw new Error(`json-schema: unknown type ${String(_exhaustive)}`);
    }
  }
}

function walkString(schema: JsonSchema, value: unknown, path: Path): Checked {
  if (typeof value !== 'string') return typeIssue(schema, 'string', value, path);
  const text = schema['x-trim'] ? value.trim() : value;
  if (schema.minLength !== undefined && text.length < schema.minLength) {
    return fail(
      path,
      said(schema, 'minLength') ?? `Too small: expected string to have >=${schema.minLength} characters`,
    );
  }
  if (schema.maxLength !== undefined && text.length > schema.maxLength) {
    return fail(path, said(schema, 'maxLength') ?? `Too big: expected string to have <=${schema.maxLength} characters`);
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(text)) {
    return fail(path, said(schema, 'pattern') ?? `Invalid string: must match pattern /${schema.pattern}/`);
  }
  return accept(schema, text, path);
}

function walkNumber(schema: JsonSchema, value: unknown, path: Path): Checked {
  if (typeof value !== 'number' || !isFinite(value)) return typeIssue(schema, 'number', value, path);
  if (schema.type === 'integer') {
    if (!isInteger(value)) return typeIssue(schema, 'int', value, path);
    if (value > MAX_SAFE) return fail(path, `Too big: expected int to be <=${MAX_SAFE}`);
    if (value < -MAX_SAFE) return fail(path, `Too small: expected int to be >=${-MAX_SAFE}`);
  }
  const bound = (keyword: Keyword, limit: number | undefined, broken: (limit: number) => boolean, text: string) =>
    limit !== undefined && broken(limit) ? (said(schema, keyword) ?? `${text}${limit}`) : undefined;
  const issue =
    bound('minimum', schema.minimum, (l) => value < l, 'Too small: expected number to be >=') ??
    bound('exclusiveMinimum', schema.exclusiveMinimum, (l) => value <= l, 'Too small: expected number to be >') ??
    bound('maximum', schema.maximum, (l) => value > l, 'Too big: expected number to be <=') ??
    bound('exclusiveMaximum', schema.exclusiveMaximum, (l) => value >= l, 'Too big: expected number to be <');
  return issue === undefined ? accept(schema, value, path) : fail(path, issue);
}

function walkArray(schema: JsonSchema, value: unknown, path: Path): Checked {
  if (!isArray(value)) return typeIssue(schema, 'array', value, path);
  // As zod does: an array that is too long is refused before its items are looked at.
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    return fail(path, said(schema, 'maxItems') ?? `Too big: expected array to have <=${schema.maxItems} items`);
  }
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = schema.items ? walk(schema.items, value[i], [...path, i]) : { ok: true as const, value: value[i] };
    if (!item.ok) return item;
    out.push(item.value);
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    return fail(path, said(schema, 'minItems') ?? `Too small: expected array to have >=${schema.minItems} items`);
  }
  return accept(schema, out, path);
}

function walkObject(schema: JsonSchema, value: unknown, path: Path): Checked {
  if (typeof value !== 'object' || value === null || isArray(value)) {
    return typeIssue(schema, 'object', value, path);
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = fieldsOf(schema);
  const required = new Set(schema.required ?? (schema.propertyNames ? known.map(([key]) => key) : []));
  for (const [key, field] of known) {
    const present = hasOwn(input, key);
    const given = present ? input[key] : undefined;
    if (given === undefined && field.default !== undefined) {
      out[key] = copy(field.default);
      continue;
    }
    if (given === undefined && !required.has(key)) {
      if (present) out[key] = undefined;
      continue;
    }
    const checked = given === undefined ? missing(field, [...path, key]) : walk(field, given, [...path, key]);
    if (!checked.ok) return checked;
    out[key] = checked.value;
  }
  if (schema.additionalProperties === false || schema.propertyNames) {
    const unknown = keys(input).filter((key) => !known.some(([name]) => name === key));
    if (unknown.length > 0) {
      return fail(path, `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `"${k}"`).join(', ')}`);
    }
  }
  return accept(schema, out, path);
}

/** The fields of an object schema in order: its properties, or for a record the names it allows. */
function fieldsOf(schema: JsonSchema): [string, JsonSchema][] {
  if (schema.propertyNames?.enum && typeof schema.additionalProperties === 'object') {
    const each = schema.additionalProperties;
    return schema.propertyNames.enum.map((name) => [String(name), each]);
  }
  return entries(schema.properties ?? {});
}

/** A required field that is absent: refused as its schema refuses `undefined` (zod's wording). */
function missing(field: JsonSchema, path: Path): Checked {
  const untyped = field.type === undefined && field.enum === undefined && field.const === undefined;
  if (untyped) return fail(path, 'Invalid input: expected nonoptional, received undefined');
  return walk(field, undefined, path);
}

/** A value that passed its schema's keywords meets its named rules too, or the first one it breaks. */
function accept(schema: JsonSchema, value: unknown, path: Path): Checked {
  for (const name of schema['x-rules'] ?? []) {
    const rule = argumentRule(name);
    if (!rule) throw new Error(`json-schema: no argument rule ${name}`);
    if (!rule.holds(value as never)) return fail([...path, ...rule.path], rule.message);
  }
  return { ok: true, value };
}

function fail(path: Path, message: string): Checked {
  return { ok: false, issue: { path: [...path], message } };
}

function said(schema: JsonSchema, keyword: Keyword): string | undefined {
  return schema['x-messages']?.[keyword];
}

function typeIssue(schema: JsonSchema, expected: string, value: unknown, path: Path): Checked {
  return fail(path, said(schema, 'type') ?? `Invalid input: expected ${expected}, received ${received(value)}`);
}

function enumMessage(schema: JsonSchema): string {
  const values = schema.enum ?? [];
  if (said(schema, 'enum')) return said(schema, 'enum')!;
  return values.length === 1
    ? expectedOne(values[0]!)
    : `Invalid option: expected one of ${values.map(show).join('|')}`;
}

function expectedOne(value: Primitive): string {
  return `Invalid input: expected ${show(value)}`;
}

function show(value: Primitive): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** Built-in types a refusal may name; anything else is an `object` (a name chosen by the sender is never echoed). */
const BUILT_IN = new Set(['Date', 'Map', 'Set', 'RegExp', 'String', 'Number', 'Boolean', 'Promise', 'Error']);

/** What a value is, in a refusal: its type, never its content. */
function received(value: unknown): string {
  if (value === null) return 'null';
  if (isArray(value)) return 'array';
  if (typeof value === 'number') return isNaN(value) ? 'NaN' : isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  const proto: unknown = getPrototypeOf(value);
  const name = typeof proto === 'object' && proto !== null ? builtInName(proto) : undefined;
  return name ?? 'object';
}

function builtInName(proto: object): string | undefined {
  const ctor = getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  const name = typeof ctor === 'function' ? ctor.name : undefined;
  return name !== undefined && BUILT_IN.has(name) ? name : undefined;
}

function hasOwn(value: object, key: string): boolean {
  return hasOwnProperty.call(value, key);
}

/** Defaults are plain JSON; each use gets its own copy. */
function copy(value: unknown): unknown {
  return value === null || typeof value !== 'object' ? value : parse(stringify(value));
}
