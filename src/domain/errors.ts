/**
 * Why a command was refused. Raised by validators (so the Update is rejected before it touches
 * history) and carried to the caller as an ApplicationFailure of this type. Messages carry
 * references (S-2, W-1, V-1), never names.
 */
export type RejectionCode =
  | 'INVALID_ARGUMENTS'
  | 'WRONG_STAGE'
  | 'NOT_PERMITTED'
  | 'PRECONDITION'
  | 'UNKNOWN_REFERENCE'
  | 'CONFLICT'
  /** The caller may not know the case exists (a restricted agency): the same answer as for no case. */
  | 'NOT_FOUND';

export const REJECTION_CODES: readonly RejectionCode[] = [
  'INVALID_ARGUMENTS',
  'WRONG_STAGE',
  'NOT_PERMITTED',
  'PRECONDITION',
  'UNKNOWN_REFERENCE',
  'CONFLICT',
  'NOT_FOUND',
];

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
