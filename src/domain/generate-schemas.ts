/**
 * Generates the JSON Schemas that workflow code checks inputs with (generated/input-schemas.json) from
 * the zod schemas the gateway and clients parse with, so both apply the same rules with the same words.
 * zod's own JSON Schema export gives the structure; what it leaves out is added as extensions the
 * checker (json-schema.ts) reads: the schema's wording of each rule (`x-messages`), trimming (`x-trim`)
 * and named rules (`x-rules`). A construct the checker would not understand fails the generation.
 *
 * Regenerate with `npm run generate`; test/unit/domain-generated.test.ts fails while the committed file
 * differs from what this produces.
 */
import { z } from 'zod';
import { ARGUMENT_RULES } from './argument-rules';
import { RecordedOpenCaseInput } from './case';
import { CASE_COMMAND_ARGS, CommandInput, RECORDED_CASE_ARGS, TASK_COMMAND_ARGS } from './command-args';
import type { InputSchemas } from './input-schemas';
import { KNOWN_KEYWORDS, type JsonSchema } from './json-schema';

export function generateInputSchemas(): InputSchemas {
  const each = <K extends string>(schemas: Record<K, z.ZodType>) =>
    Object.fromEntries(Object.entries<z.ZodType>(schemas).map(([name, s]) => [name, toSchema(s, name)])) as Record<
      K,
      JsonSchema
    >;
  return {
    envelope: toSchema(CommandInput, 'envelope'),
    openCase: toSchema(RecordedOpenCaseInput, 'openCase'),
    caseArgs: each(CASE_COMMAND_ARGS),
    recordedCaseArgs: each(RECORDED_CASE_ARGS),
    taskArgs: each(TASK_COMMAND_ARGS),
  };
}

interface CheckDef {
  check: string;
  format?: string;
  inclusive?: boolean;
  fn?: unknown;
  tx?: (value: string) => unknown;
  error?: (issue: unknown) => unknown;
}

type ZodInternals = {
  _zod: { def: { type: string; checks?: { _zod: { def: CheckDef } }[]; check?: string; error?: CheckDef['error'] } };
};

function toSchema(schema: z.ZodType, what: string): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => annotate(zodSchema as unknown as ZodInternals, jsonSchema, what),
  }) as Record<string, unknown>;
  return clean(json, what) as JsonSchema;
}

/** Adds what z.toJSONSchema leaves out: custom wording, trimming and named rules. */
function annotate(zodSchema: ZodInternals, json: Record<string, unknown>, what: string): void {
  const { def } = zodSchema._zod;
  const messages: Record<string, string> = { ...(json['x-messages'] as Record<string, string> | undefined) };
  const rules: string[] = [...((json['x-rules'] as string[] | undefined) ?? [])];
  // A string format (z.iso.datetime) is a schema and its own check at once.
  const own = def.check === undefined ? [] : [def as CheckDef];
  if (def.check === undefined && def.error !== undefined) {
    throw new Error(`${what}: a custom type message is not supported`);
  }
  for (const c of [...own, ...(def.checks ?? []).map((check) => check._zod.def)]) {
    const said = wording(c);
    const keyword = keywordOf(c, def.type, what);
    // A string format's own wording is for any value it refuses, whatever the type (as zod does).
    if (c === own[0] && said !== undefined) messages.type = said;
    if (keyword === 'x-trim') json['x-trim'] = true;
    else if (keyword === 'x-rules') rules.push(ruleName(c, what));
    else if (said !== undefined) messages[keyword] = said;
  }
  if (Object.keys(messages).length > 0) json['x-messages'] = messages;
  if (rules.length > 0) json['x-rules'] = rules;
}

function keywordOf(c: CheckDef, type: string, what: string): string {
  switch (c.check) {
    case 'min_length':
      return type === 'array' ? 'minItems' : 'minLength';
    case 'max_length':
      return type === 'array' ? 'maxItems' : 'maxLength';
    case 'string_format':
      if (c.format === 'regex' || c.format === 'datetime') return 'pattern';
      throw new Error(`${what}: string format ${c.format} is not supported`);
    case 'greater_than':
      return c.inclusive ? 'minimum' : 'exclusiveMinimum';
    case 'less_than':
      return c.inclusive ? 'maximum' : 'exclusiveMaximum';
    case 'number_format':
      if (c.format === 'safeint') return 'type';
      throw new Error(`${what}: number format ${c.format} is not supported`);
    case 'overwrite':
      if (c.tx?.('  x  ') === 'x') return 'x-trim';
      throw new Error(`${what}: a transform other than trim is not supported`);
    case 'custom':
      return 'x-rules';
    default:
      throw new Error(`${what}: check ${c.check} is not supported`);
  }
}

/** A refinement is one of the named argument rules, recognised by its function. */
function ruleName(c: CheckDef, what: string): string {
  const found = Object.entries(ARGUMENT_RULES).find(([, rule]) => rule.holds === c.fn);
  if (!found) throw new Error(`${what}: a refinement that is not an argument rule (use refineBy)`);
  return found[0];
}

/** A check's own wording, when the schema gives one. */
function wording(c: CheckDef): string | undefined {
  if (c.error === undefined) return undefined;
  const said = c.error({});
  if (typeof said === 'string') return said;
  if (typeof said === 'object' && said !== null && typeof (said as { message?: unknown }).message === 'string') {
    return (said as { message: string }).message;
  }
  return undefined;
}

/**
 * What the checker does not need: descriptions, the $schema tag, and the vocabulary a code belongs to (a
 * case's vocabulary is its policy's: the commands check codes against it, see vocabulary.ts).
 */
const DROPPED = ['$schema', 'description', 'x-vocabulary'];

/** Drops what the checker does not need and refuses what it would not understand. */
function clean(node: Record<string, unknown>, what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.includes(key)) continue;
    if (!KNOWN_KEYWORDS.includes(key)) throw new Error(`${what}: JSON Schema keyword ${key} is not supported`);
    out[key] = SUBSCHEMAS.includes(key) && isObject(value) ? clean(value, what) : value;
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, v]) => [name, clean(v as Record<string, unknown>, what)]),
      );
    }
  }
  return out;
}

/** Keywords whose value is a schema of its own. */
const SUBSCHEMAS = ['items', 'additionalProperties', 'propertyNames'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
