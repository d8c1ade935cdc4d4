/** Errors the client raises, each mapping to one CLI exit code that scripts can trust. */
import type { RejectionCode } from '../domain/errors';

/** Malformed input: exit code 2. Nothing was done. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly exitCode = 2;
}

/** Refused by the case rules (stage, precondition, conflict...): exit code 3. History unchanged. */
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

/**
 * Not authenticated (no or bad token: log in again) or not permitted (the token's agency or role may not do
 * this; the message names the rule): exit code 4.
 */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
  readonly exitCode = 4;
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** No such case (or one the caller may not know of: the same answer): exit code 1, with a clear message. */
export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
  readonly exitCode = 1;
}

/** The gateway or identity provider could not be reached or failed: exit code 1. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  readonly exitCode = 1;
}
