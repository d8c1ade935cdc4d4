/** How refusals leave a workflow, and the one way command Updates are registered so that they do. */
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import { CommandRejected } from '../src/domain/errors';

/** How a refusal reaches the caller: a non-retryable ApplicationFailure of type CommandRejected, the
 * rule's code as its detail. */
export function rejection(err: CommandRejected): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'CommandRejected',
    message: err.message,
    details: [err.code],
    nonRetryable: true,
  });
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

/** For code that opens a workflow or runs a command: a refusal as above; anything else rethrown as it is
 * (it fails the workflow task, which is retried: a bug or an unreadable payload, not the caller's fault). */
export function rethrowAsFailure(err: unknown): never {
  if (err instanceof CommandRejected) throw rejection(err);
  throw err;
}

export interface CommandHandlers<Ret, Input> {
  /** Pure checks (the domain's validate*): a refusal rejects the Update before it reaches history. */
  validate(input: Input): void;
  /** Runs the accepted command. Its synchronous part is where a refusal can still arise. */
  execute(input: Input): Ret | Promise<Ret>;
}

/** Registers a command Update (case or task command alike): refusals reach the caller as `rejection`s. */
export function setCommandHandler<Ret, Input>(
  update: UpdateDefinition<Ret, [Input]>,
  { validate, execute }: CommandHandlers<Ret, Input>,
): void {
  setHandler(
    update,
    (input) => {
      try {
        return execute(input);
      } catch (err) {
        return rethrowAsFailure(err);
      }
    },
    {
      validator: (input) => {
        try {
          validate(input);
        } catch (err) {
          refuse(err);
        }
      },
    },
  );
}
