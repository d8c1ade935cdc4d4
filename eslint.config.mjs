// Shared lint rules: no floating promises anywhere; workflow code must stay deterministic, so Node
// builtins (and the non-workflow Temporal packages) are forbidden under workflows/ and src/domain/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// The modules of src/domain that hold zod schemas, for the gateway, clients and the CLI. Workflow code
// (workflows/ and the rest of src/domain, which workflows run) may import them as types only: every
// cached workflow would evaluate zod again (docs/benchmarks.md, B3). It checks inputs with the JSON
// Schemas generated from them (src/domain/input-schemas.ts).
const zodModules = [
  'agencies',
  'case',
  'catalogue',
  'command-args',
  'commands',
  'generate-schemas',
  'idempotency',
  'policy',
  'task-commands',
  'tasks',
];
const noZod =
  'Workflow code must not evaluate zod: check inputs with src/domain/input-schemas.ts, import schemas as types only.';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.data/**',
      'coverage/**',
      'tmp/**',
      'bench-results/**',
      '*.config.*',
      'bin/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code must be deterministic: no Node builtins.',
            })),
            { name: '@temporalio/activity', message: 'Activities are imported as types only.' },
            { name: '@temporalio/worker', message: 'Not allowed in workflow code.' },
            { name: '@temporalio/client', message: 'Not allowed in workflow code.' },
          ],
        },
      ],
    },
  },
  ...[
    // From workflows/ the domain is ../src/domain/...; inside src/domain it is ./ or ../.
    { files: ['workflows/**/*.ts'], prefix: 'src/domain/' },
    { files: ['src/domain/**/*.ts'], prefix: '^\\.\\.?/' },
  ].map(({ files, prefix }) => ({
    files,
    ignores: [...zodModules.map((m) => `src/domain/${m}.ts`), 'src/domain/commands/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: noZod, allowTypeImports: true }],
          patterns: [{ regex: `${prefix}(${zodModules.join('|')})$`, message: noZod, allowTypeImports: true }],
        },
      ],
    },
  })),
);
