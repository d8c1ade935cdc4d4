/** The shapes of request bodies and queries the gateway takes, validated with zod like every input. */
import { z } from 'zod';
import { parseInput } from '../temporal/case-service';
import { CommandId } from '../domain/idempotency';
import { GatewayProblem } from './problems';

export const CommandBody = z
  .object({
    args: z.record(z.string(), z.unknown()).optional(),
    commandId: CommandId.optional(),
  })
  .strict();

export const TaskBody = z
  .object({
    outcome: z.string().optional(),
    commandId: CommandId.optional(),
  })
  .strict();

export const InboxQuery = z
  .object({
    mine: z.enum(['true', 'false']).optional(),
    unassigned: z.enum(['true', 'false']).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    dueWithin: z
      .string()
      .regex(/^\d{1,4}h$/, 'must be a number of hours such as 24h')
      .optional(),
    caseId: z.string().max(64).optional(),
    kind: z.string().max(64).optional(),
  })
  .strict();

export const ListQuery = z
  .object({
    stage: z.string().max(64).optional(),
    jurisdiction: z.string().max(64).optional(),
    agency: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();

/**
 * The command id of a request: the `Idempotency-Key` header or the body's commandId (they must agree).
 * Required: a command without one could run twice when a client retries after a timeout.
 */
export function commandIdOf(header: unknown, body: { commandId?: string }): string {
  const fromHeader = typeof header === 'string' ? parseInput(CommandId, header, 'Idempotency-Key') : undefined;
  if (fromHeader && body.commandId && fromHeader !== body.commandId) {
    throw new GatewayProblem(400, 'INVALID_ARGUMENTS', 'commandId: differs from the Idempotency-Key header');
  }
  const id = fromHeader ?? body.commandId;
  if (!id) {
    throw new GatewayProblem(
      400,
      'INVALID_ARGUMENTS',
      'commandId: required (an Idempotency-Key header or a commandId in the body; reuse it when you retry)',
    );
  }
  return id;
}
