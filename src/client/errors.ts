/** Errors the client raises, each mapping to one CLI exit code that scripts can trust. */
import type { RejectionCode } from '../domain/errors';

/** Malformed input: exit code 2. Nothing was sent. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly exitCode = 2;
}

/** Refused by the case rules (stage, permission, precondition...): exit code 3. History unchanged. */
export class CommandRefusedError extends Error {
  override readonly name = 'CommandRefusedError';
  readonly exitCode = 3;
  constructor(
    readonly code: RejectionCode | 'UNKNOWN',
    message: string,
  ) {
    super(message);
  }
}

/** No such case (or protection workflow): exit code 1, like any other failure, but with a clear message. */
export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
  readonly exitCode = 1;
}
