/**
 * Why a token was refused. The gateway turns every reason into the same 401 for the caller (a forger learns
 * nothing from the difference); the reason is for logs and tests. Messages name the rule, never the token or a
 * claim's value: a token is a credential, and claims can hold personal data.
 */
export const REJECTION_REASONS = [
  'missing',
  'malformed',
  'expired',
  'not-yet-valid',
  'bad-signature',
  'algorithm-not-allowed',
  'wrong-issuer',
  'wrong-audience',
  'claims',
  'issuer-unreachable',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}
