/**
 * The inputs workflow code checks, and how: the JSON Schemas generated from the zod schemas of
 * command-args.ts and case.ts (generated/input-schemas.json, see generate-schemas.ts), checked by
 * json-schema.ts. A refusal names the field and the rule exactly as the gateway's zod check would; what
 * passes comes back as the handler needs it (defaults applied, text trimmed). No zod is evaluated here,
 * so a worker evaluates this once per thread, not once per cached case.
 */
import type { RecordedOpenCaseInput } from './case';
import type { CaseArgs, ParsedCommandInput, RecordedCaseArgs, TaskCommandName } from './command-args';
import { issueMessage, reject } from './errors';
import generated from './generated/input-schemas.json';
import { checkInput, type JsonSchema } from './json-schema';
import type { CaseCommandName } from './permissions';
import type { z } from 'zod';

export interface InputSchemas {
  /** What every command Update carries: actor, args, commandId. */
  envelope: JsonSchema;
  /** The opening of a case as its workflow receives it. */
  openCase: JsonSchema;
  caseArgs: Record<CaseCommandName, JsonSchema>;
  /** What handlers accept of commands whose arguments became stricter: what histories recorded before hold. */
  recordedCaseArgs: Partial<Record<CaseCommandName, JsonSchema>>;
  taskArgs: Record<TaskCommandName, JsonSchema>;
}

export const INPUT_SCHEMAS: InputSchemas = deepFreeze(generated as unknown as InputSchemas);

export type OpenCase = z.output<typeof RecordedOpenCaseInput>;

/** The Update envelope; refuses with `field: rule` (`actor.agency: ...`, `arguments: ...`). */
export function parseEnvelope(input: unknown): ParsedCommandInput {
  return parseOrReject(INPUT_SCHEMAS.envelope, input, '') as ParsedCommandInput;
}

/** A case command's arguments; refuses with `args.field: rule`. */
export function parseCaseArgs<N extends CaseCommandName>(name: N, raw: unknown): CaseArgs<N> {
  return parseOrReject(INPUT_SCHEMAS.caseArgs[name], raw, 'args') as CaseArgs<N>;
}

/** A case command's arguments as a handler receives them: also in the shape recorded under older rules. */
export function parseRecordedCaseArgs<N extends CaseCommandName>(name: N, raw: unknown): RecordedCaseArgs<N> {
  const recorded = Object.prototype.hasOwnProperty.call(INPUT_SCHEMAS.recordedCaseArgs, name)
    ? INPUT_SCHEMAS.recordedCaseArgs[name]
    : undefined;
  return parseOrReject(recorded ?? INPUT_SCHEMAS.caseArgs[name], raw, 'args') as RecordedCaseArgs<N>;
}

/** A task command's arguments; refuses with `args.field: rule`. */
export function parseTaskArgs(name: TaskCommandName, raw: unknown): { taskId: string; outcome?: string } {
  return parseOrReject(INPUT_SCHEMAS.taskArgs[name], raw, 'args') as { taskId: string; outcome?: string };
}

/** The opening of a case; refuses with `case.field: rule`. */
export function parseOpenCase(open: unknown): OpenCase {
  return parseOrReject(INPUT_SCHEMAS.openCase, open, 'case') as OpenCase;
}

function parseOrReject(schema: JsonSchema, value: unknown, prefix: string): unknown {
  const checked = checkInput(schema, value);
  if (checked.ok) return checked.value;
  return reject('INVALID_ARGUMENTS', issueMessage(checked.issue, prefix));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
