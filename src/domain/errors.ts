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

/** A validation issue: where (a path into the input) and which rule. zod's issues have this shape, and so
 * do those of the workflow's own checker (json-schema.ts). */
export interface InputIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The one way an invalid input is put into words: `field.path: rule`, e.g. `args.suspectRef: must be a
 * reference like S-1`. `prefix` names the input (args, case, actor); an issue about the whole of an
 * unnamed input says `whole` instead. Messages name fields and rules, never the offending value.
 */
export function issueMessage(issue: InputIssue, prefix = '', whole = 'arguments'): string {
  const field = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  return `${field || whole}: ${issue.message}`;
}
