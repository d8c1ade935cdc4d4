import { ApplicationFailure, log } from '@temporalio/workflow';
import { CommandRejected } from '../src/domain/errors';

/** How a refusal reaches the caller: a non-retryable ApplicationFailure of type CommandRejected, the
 * rule's code as its detail. */
export function rejection(err: CommandRejected): ApplicationFailure {
  return ApplicationFailure.create({ type: 'CommandRejected', message: err.message, details: [err.code], nonRetryable: true });
}

/**
 * For Update validators: every error refuses the update, and nothing thrown here may echo the input. A
 * CommandRejected carries its rule; anything else (a validator tripping over a malformed message) becomes
 * a plain INVALID_ARGUMENTS refusal, logged by name only.
 */
export function refuse(err: unknown): never {
  if (err instanceof CommandRejected) throw rejection(err);
  log.warn('command refused: malformed message', { error: err instanceof Error ? err.name : typeof err });
  throw rejection(new CommandRejected('INVALID_ARGUMENTS', 'malformed command'));
}

/** For code that opens a workflow: a refusal as above; anything else rethrown as it is. */
export function rethrowAsFailure(err: unknown): never {
  if (err instanceof CommandRejected) throw rejection(err);
  throw err;
}
