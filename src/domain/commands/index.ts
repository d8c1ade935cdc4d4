/**
 * The case commands, as clients see them: each command's definition with the zod schema of its
 * arguments (`CASE_COMMANDS[name].args`, what the gateway parses with), and the entry points of
 * decide.ts. Workflow code imports registry.ts and decide.ts instead, which evaluate no zod.
 */
import type { z } from 'zod';
import { CASE_COMMAND_ARGS } from '../command-args';
import type { CaseCommandName } from '../permissions';
import type { CommandDef } from './define';
import { CASE_COMMAND_DEFS } from './registry';

export { CommandInput } from '../command-args';
export { CommandRejected } from '../errors';
export * from './decide';
export { CASE_COMMAND_NAMES, isCaseCommand } from './registry';
export type { Effect, Outcome, ProtectionStart, RaidStart, StageMove } from './define';

export type ClientCommand = CommandDef & { args: z.ZodType };

export const CASE_COMMANDS = Object.fromEntries(
  Object.entries(CASE_COMMAND_DEFS).map(([name, def]) => [
    name,
    { ...def, args: CASE_COMMAND_ARGS[name as CaseCommandName] },
  ]),
) as unknown as Record<CaseCommandName, ClientCommand>;
