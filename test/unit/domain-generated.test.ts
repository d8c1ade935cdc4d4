/**
 * Generated files stay in step with their sources:
 * - src/domain/generated/input-schemas.json, the JSON Schemas workflow code checks inputs with, with the
 *   zod schemas the gateway parses with (src/domain/generate-schemas.ts);
 * - the lifecycle diagram in README.md with the stage moves the commands declare (src/domain/lifecycle.ts).
 * `npm run generate` (GENERATE=1) rewrites both instead of comparing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateInputSchemas } from '../../src/domain/generate-schemas';
import { lifecycleMermaid } from '../../src/domain/lifecycle';

const ROOT = join(__dirname, '..', '..');
const SCHEMAS = join(ROOT, 'src', 'domain', 'generated', 'input-schemas.json');
const README = join(ROOT, 'README.md');
const BEGIN =
  '<!-- lifecycle:begin (generated from src/domain/lifecycle.ts by `npm run docs:lifecycle`; do not edit) -->';
const END = '<!-- lifecycle:end -->';
const GENERATE = process.env.GENERATE === '1';

function readmeDiagram(readme: string): string | undefined {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + BEGIN.length, end);
}

const diagramBlock = () => `\n\n\`\`\`mermaid\n${lifecycleMermaid()}\n\`\`\`\n\n`;

it('the committed input schemas are what the zod schemas generate (npm run generate)', () => {
  const generated = generateInputSchemas();
  if (GENERATE) {
    writeFileSync(SCHEMAS, JSON.stringify(generated));
    // Written as the project formats JSON, so that `prettier --check` passes.
    execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', SCHEMAS], { stdio: 'ignore' });
  }
  expect(JSON.parse(readFileSync(SCHEMAS, 'utf8'))).toEqual(JSON.parse(JSON.stringify(generated)));
});

it("the README's lifecycle diagram is the one the commands declare (npm run docs:lifecycle)", () => {
  const readme = readFileSync(README, 'utf8');
  if (GENERATE) {
    const current = readmeDiagram(readme);
    if (current === undefined) throw new Error(`README.md has no ${BEGIN} ... ${END} block to fill`);
    writeFileSync(README, readme.replace(`${BEGIN}${current}${END}`, `${BEGIN}${diagramBlock()}${END}`));
  }
  expect(readmeDiagram(readFileSync(README, 'utf8'))).toBe(diagramBlock());
});
