/**
 * What a worker sees instead of a payload it could not authenticate. The payload codec (src/temporal/codec.ts)
 * decrypts with AES-256-GCM, which also proves the payload was written by a holder of the deployment's keys
 * (the gateway, the workers, admin tooling). A plaintext or undecryptable payload is replaced by this marker
 * rather than failing the workflow task, so a forged or malformed message can never wedge a case; every
 * validator and signal handler refuses or ignores it.
 */
export const UNVERIFIED = '$unverified';

export type UnverifiedReason = 'plaintext' | 'undecryptable';

export interface UnverifiedPayload {
  [UNVERIFIED]: UnverifiedReason;
  /** Why, without content: "payload is not encrypted", "unknown key id \"k1\"...". */
  detail?: string;
}

/** Thrown where our own history meets a payload it cannot read (a key dropped too early): the workflow
 * task fails loudly and is retried until the key is back, rather than the case going on without it. */
export class UnverifiedPayloadError extends Error {
  override readonly name = 'UnverifiedPayloadError';
  constructor(payload: UnverifiedPayload) {
    super(`cannot read a payload of this workflow (${payload[UNVERIFIED]}): ${payload.detail ?? 'no detail'}`);
  }
}

export function assertVerified<T>(value: T | UnverifiedPayload): T {
  if (isUnverified(value)) throw new UnverifiedPayloadError(value);
  return value;
}

export function isUnverified(value: unknown): value is UnverifiedPayload {
  return typeof value === 'object' && value !== null && UNVERIFIED in value;
}
