import { ApplicationFailure } from '@temporalio/workflow';
import { CommandRejected } from '../src/domain/errors';

/** A refusal travels to the caller as a non-retryable ApplicationFailure of type CommandRejected with
 * the rule's code as its detail; anything else is rethrown as it is. */
export function rethrowAsFailure(err: unknown): never {
  if (err instanceof CommandRejected) {
    throw ApplicationFailure.create({
      type: 'CommandRejected',
      message: err.message,
      details: [err.code],
      nonRetryable: true,
    });
  }
  throw err;
}
