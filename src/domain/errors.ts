/**
 * Why a command was refused. Raised by validators (so the Update is rejected before it touches
 * history) and carried to the caller as an ApplicationFailure of this type. Messages carry
 * references (S-2, W-1, V-1), never names.
 */
export type RejectionCode =
  'INVALID_ARGUMENTS' | 'WRONG_STAGE' | 'NOT_PERMITTED' | 'PRECONDITION' | 'UNKNOWN_REFERENCE' | 'CONFLICT';

export class CommandRejected extends Error {
  override readonly name = 'CommandRejected';
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

export function reject(code: RejectionCode, message: string): never {
  throw new CommandRejected(code, message);
}
