/**
 * The workflow's checker (src/domain/json-schema.ts, over the generated JSON Schemas) and zod (over the
 * schemas the gateway parses with) agree: on every input the same verdict, the same first issue (path
 * and message, so a refusal reads the same whichever side made it), and the same value handed on
 * (defaults applied, text trimmed). Properties with fast-check, fixed seed 20261128, 200 runs per schema,
 * over values built from each schema: mostly near-valid, with wrong types, missing and extra fields.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { RecordedOpenCaseInput } from '../../src/domain/case';
import { CASE_COMMAND_ARGS, CommandInput, RECORDED_CASE_ARGS, TASK_COMMAND_ARGS } from '../../src/domain/command-args';
import { issueMessage } from '../../src/domain/errors';
import { INPUT_SCHEMAS, parseCaseArgs, parseEnvelope } from '../../src/domain/input-schemas';
import { checkInput, type JsonSchema } from '../../src/domain/json-schema';

const PARAMS = { seed: 20261128, numRuns: 200 } as const;

/** Inputs too large to come out valid by chance: a few valid ones are mixed in. */
const OPENING = {
  caseId: 'PE-LIM-2026-0042',
  codename: 'CUNA',
  jurisdiction: 'PE-LIM',
  crimeTypes: ['human-trafficking'],
  leadProsecutor: { staffId: 'fiscal-017' },
};
const POLICY = {
  version: 1,
  detention: {
    limit: {
      trafficking: '48h',
      'organized-crime': '15d',
      'child-sale': '48h',
      'illegal-abortion': '48h',
      other: '48h',
    },
    warnBefore: '6h',
    extension: '7d',
  },
  warrantValidity: '7d',
  raidReportWindow: '6h',
  chargeFilingWindow: '30d',
  childProtection: { referralAcceptance: '6h', medicalExam: '24h', placement: '72h', carePlan: '30d' },
  task: { defaultDue: '3d', remindBefore: '2h' },
};
const VALID: Record<string, unknown[]> = {
  openCase: [
    OPENING,
    { ...OPENING, priority: 'urgent', summary: '  un resumen  ' },
    { ...OPENING, policy: POLICY },
    { ...OPENING, policy: { ...POLICY, warrantValidity: '99999d' } },
    { ...OPENING, policy: { ...POLICY, detention: { ...POLICY.detention, limit: { trafficking: '1h' } } } },
  ],
  'args of fileCharges': [{ suspectRefs: ['S-1', 'S-2'], offences: ['corruption'] }],
};

const PAIRS: [string, z.ZodType, JsonSchema][] = [
  ['envelope', CommandInput, INPUT_SCHEMAS.envelope],
  ['openCase', RecordedOpenCaseInput, INPUT_SCHEMAS.openCase],
  ...Object.entries(CASE_COMMAND_ARGS).map(([name, schema]): [string, z.ZodType, JsonSchema] => [
    `args of ${name}`,
    schema,
    INPUT_SCHEMAS.caseArgs[name as keyof typeof CASE_COMMAND_ARGS],
  ]),
  ...Object.entries(RECORDED_CASE_ARGS).map(([name, schema]): [string, z.ZodType, JsonSchema] => [
    `recorded args of ${name}`,
    schema,
    INPUT_SCHEMAS.recordedCaseArgs[name as keyof typeof RECORDED_CASE_ARGS]!,
  ]),
  ...Object.entries(TASK_COMMAND_ARGS).map(([name, schema]): [string, z.ZodType, JsonSchema] => [
    `args of ${name}`,
    schema,
    INPUT_SCHEMAS.taskArgs[name as keyof typeof TASK_COMMAND_ARGS],
  ]),
];

const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, 0, -1, 1.5, NaN, Infinity, '', '  ', 'x', [], {}, ['x'], { a: 1 }),
  fc.jsonValue(),
);

/** Values for a schema: mostly built from it (so rules deep inside are reached), sometimes anything. */
function valuesOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 9, arbitrary: plausible(schema, depth) }, { weight: 1, arbitrary: wrongType });
}

function plausible(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constantFrom(schema.const, 2, '1');
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), fc.constantFrom('bogus', '', 'OVERSIGHT', 'judge'));
  switch (schema.type) {
    case 'string': {
      const edges = fc.constantFrom(
        '',
        '   ',
        ' a ',
        'x'.repeat((schema.maxLength ?? 60) + 1),
        '2026-11-28T05:00:00Z',
        '7d',
      );
      const shaped = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ maxLength: 20 });
      const padded = shaped.map((s) => ` ${s} `);
      return fc.oneof(
        { weight: 5, arbitrary: shaped },
        { weight: 1, arbitrary: padded },
        { weight: 2, arbitrary: edges },
      );
    }
    case 'integer':
    case 'number':
      return fc.oneof(
        fc.integer({ min: (schema.minimum ?? -5) - 2, max: (schema.maximum ?? 1000) + 2 }),
        fc.constantFrom(0.5, -0, 2 ** 60, -(2 ** 60), 215, 216),
      );
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = schema.items ? valuesOf(schema.items, depth + 1) : fc.jsonValue();
      return fc.array(items, { maxLength: Math.min((schema.maxItems ?? 4) + 1, 5) });
    }
    case 'object': {
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      const each = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
      const names = schema.propertyNames?.enum?.map(String) ?? Object.keys(schema.properties ?? {});
      for (const name of names) fields[name] = valuesOf(each ?? schema.properties![name]!, depth + 1);
      const complete = fc.record(fields);
      const partial = fc.record(fields, { requiredKeys: [] });
      const extra = fc
        .tuple(partial, fc.constantFrom('extra', 'dateOfBirth', '__proto__', 'constructor'), fc.jsonValue())
        .map(([r, k, v]) => Object.defineProperty({ ...(r as object) }, k, { value: v, enumerable: true }));
      return fc.oneof(
        { weight: 6, arbitrary: complete },
        { weight: 3, arbitrary: partial },
        { weight: 1, arbitrary: extra },
      );
    }
    case undefined:
      return fc.jsonValue();
    default: {
      const _exhaustive: never = schema.type;
      return _exhaustive;
    }
  }
}

type Verdict = { ok: true; value: unknown } | { ok: false; path: string; message: string };

function byZod(schema: z.ZodType, value: unknown): Verdict {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, path: issue.path.map(String).join('.'), message: issue.message };
}

function byChecker(schema: JsonSchema, value: unknown): Verdict {
  const checked = checkInput(schema, value);
  if (checked.ok) return { ok: true, value: checked.value };
  return { ok: false, path: checked.issue.path.map(String).join('.'), message: checked.issue.message };
}

describe('the checker agrees with zod (seed 20261128, 200 runs per schema)', () => {
  it.each(PAIRS)('%s', (_name, zodSchema, jsonSchema) => {
    const outcomes = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(valuesOf(jsonSchema), fc.constantFrom(...(VALID[_name] ?? [{}]))), (value) => {
        const expected = byZod(zodSchema, value);
        const actual = byChecker(jsonSchema, value);
        expect(actual).toEqual(expected);
        outcomes[actual.ok ? 'ok' : 'refused'] += 1;
      }),
      PARAMS,
    );
    // Both verdicts must be exercised, or the property proves little.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

describe('the checker on its own', () => {
  it('hands out copies of defaults, never the schema’s own (frozen) values', () => {
    const a = parseCaseArgs('addSuspect', { name: 'Alguien' });
    const b = parseCaseArgs('addSuspect', { name: 'Otro' });
    expect(a.roles).toEqual([]);
    a.roles.push('leader');
    expect(b.roles).toEqual([]);
    expect(Object.isFrozen(INPUT_SCHEMAS.caseArgs.addSuspect)).toBe(true);
  });

  it('trims text before its rules, as the gateway does', () => {
    expect(parseCaseArgs('addWitness', { name: '  Testigo  ' })).toEqual({ name: 'Testigo', protected: false });
  });

  it('never names a type its sender chose (zod would echo a constructor name)', () => {
    const forged = Object.assign(Object.create(null) as object, { constructor: { name: 'Maritza Ocampo Rivas' } });
    const checked = checkInput(INPUT_SCHEMAS.caseArgs.addVictim, { minor: forged });
    expect(checked).toEqual({
      ok: false,
      issue: { path: ['minor'], message: 'Invalid input: expected boolean, received object' },
    });
  });

  it('accepts actors recorded before roles existed, with no roles', () => {
    expect(parseEnvelope({ actor: { agency: 'POLICE' }, args: {} })).toEqual({
      actor: { agency: 'POLICE', roles: [] },
      args: {},
    });
  });

  it('words an issue as `field.path: rule`, the whole input as `arguments`', () => {
    expect(issueMessage({ path: ['verdicts', 0, 'suspectRef'], message: 'm' }, 'args')).toBe(
      'args.verdicts.0.suspectRef: m',
    );
    expect(issueMessage({ path: [], message: 'm' })).toBe('arguments: m');
    expect(issueMessage({ path: [], message: 'm' }, '', 'policy')).toBe('policy: m');
  });
});
