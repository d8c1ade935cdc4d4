/**
 * Access-token verification: the only way a caller's identity enters the system. A token counts when it is a JWT
 * signed by one of the issuer's published keys (found through discovery), with an algorithm from the configured
 * list (asymmetric only: `none` and HS* can never be allowed, so a token "signed" with the issuer's public key as
 * an HMAC secret is refused before any key is looked at), for our audience, from our issuer, within its validity
 * (with a small clock tolerance), of type `at+jwt` (RFC 9068) or `JWT` (Keycloak). Then the claim mapping turns
 * it into an Identity (claims.ts).
 *
 * Every refusal is a TokenRejectedError with a reason; no message quotes the token or a claim value.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type RemoteJWKSet } from 'jose';
import { durationMs, type Config } from '../config';
import { identityFromClaims, type ClaimMapping, type Identity } from './claims';
import { discover, DiscoveryError, normalizeIssuer } from './discovery';
import { TokenRejectedError } from './errors';

export { TokenRejectedError, type RejectionReason } from './errors';
export type { ClaimMapping, Identity } from './claims';

/** Asymmetric JWS algorithms a verifier may be configured with. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface TokenVerifierOptions {
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** The `aud` our tokens must carry (OIDC_AUDIENCE). */
  audience: string;
  algorithms: readonly string[];
  /** Seconds of clock skew tolerated on exp and nbf. */
  clockToleranceSec: number;
  claims: ClaimMapping;
}

export interface TokenVerifier {
  /** Verifies a compact JWT access token; resolves to the caller's identity or throws TokenRejectedError. */
  verify(token: string | undefined): Promise<Identity>;
  /** Fetches discovery and keys now, so a misconfigured issuer stops a process at start rather than at the first call. */
  ready(): Promise<void>;
  readonly issuer: string;
  readonly audience: string;
}

/** Longer than any access token we issue or Keycloak issues with a sane number of roles. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ACCEPTED_TYPES = new Set(['at+jwt', 'jwt']);

/** The verifier options from configuration (OIDC_* variables); throws when OIDC_ISSUER is not set. */
export function tokenVerifierOptions(config: Config): TokenVerifierOptions {
  if (!config.OIDC_ISSUER) throw new TypeError('OIDC_ISSUER is not set');
  return {
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    algorithms: config.OIDC_ALGORITHMS,
    clockToleranceSec: Math.floor(durationMs(config.OIDC_CLOCK_TOLERANCE) / 1000),
    claims: { agency: config.OIDC_CLAIM_AGENCY, staffId: config.OIDC_CLAIM_STAFF_ID, roles: config.OIDC_CLAIM_ROLES },
  };
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = normalizeIssuer(options.issuer);
  const algorithms = [...new Set(options.algorithms)];
  const allowed = new Set<string>(ASYMMETRIC_ALGORITHMS);
  const bad = algorithms.filter((a) => !allowed.has(a));
  if (algorithms.length === 0 || bad.length > 0) {
    // HS* would let anyone holding a published key (everyone) sign; `none` signs nothing.
    throw new TypeError(`token algorithms must be asymmetric JWS algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')})`);
  }
  if (!options.audience) throw new TypeError('token audience is required');
  if (!(options.clockToleranceSec >= 0 && options.clockToleranceSec <= 300)) {
    throw new TypeError('clock tolerance must be between 0 and 300 seconds');
  }

  let keys: Promise<{ issuer: string; getKey: RemoteJWKSet }> | undefined;
  const resolveKeys = () => {
    if (!keys) {
      keys = discover(issuer).then((doc) => ({
        // The exact spelling the issuer uses for itself is what its tokens carry in `iss`.
        issuer: doc.issuer,
        getKey: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
      }));
      keys.catch(() => (keys = undefined));
    }
    return keys;
  };
  const keysOrUnreachable = async () => {
    try {
      return await resolveKeys();
    } catch (err) {
      if (err instanceof DiscoveryError) throw new TokenRejectedError('issuer-unreachable', err.message);
      throw err;
    }
  };

  return {
    issuer,
    audience: options.audience,
    async ready() {
      const { getKey } = await keysOrUnreachable();
      try {
        await getKey.reload();
      } catch {
        throw new TokenRejectedError('issuer-unreachable', 'identity provider keys could not be fetched');
      }
    },
    async verify(token) {
      if (token === undefined || token === '') throw new TokenRejectedError('missing', 'no access token');
      if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
        throw new TokenRejectedError('malformed', 'access token is not a compact JWT');
      }
      const { issuer: expectedIssuer, getKey } = await keysOrUnreachable();
      let payload: Record<string, unknown>;
      let typ: string | undefined;
      try {
        const verified = await jwtVerify(token, getKey, {
          issuer: expectedIssuer,
          audience: options.audience,
          algorithms,
          clockTolerance: options.clockToleranceSec,
          requiredClaims: ['exp', 'sub'],
        });
        payload = verified.payload as Record<string, unknown>;
        typ = verified.protectedHeader.typ;
      } catch (err) {
        throw rejectionOf(err);
      }
      const normalizedTyp = (typ ?? '').toLowerCase().replace(/^application\//, '');
      if (!ACCEPTED_TYPES.has(normalizedTyp)) {
        throw new TokenRejectedError('malformed', 'token type (typ) must be at+jwt or JWT');
      }
      return identityFromClaims(payload, options.claims);
    },
  };
}

/** The key set could not be fetched: network failure, timeout, or an answer that is not a key set. */
function isKeyFetchFailure(err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout) return true;
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return true;
  return err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(err.message);
}

/** jose's errors, as reasons. Their messages are generic already; ours are fixed strings all the same. */
function rejectionOf(err: unknown): TokenRejectedError {
  if (err instanceof TokenRejectedError) return err;
  if (err instanceof joseErrors.JWTExpired) return new TokenRejectedError('expired', 'access token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return new TokenRejectedError('not-yet-valid', 'access token is not valid yet');
      case 'iss':
        return new TokenRejectedError('wrong-issuer', 'access token is from another issuer');
      case 'aud':
        return new TokenRejectedError('wrong-audience', 'access token is for another audience');
      default:
        return new TokenRejectedError('claims', `access token claim ${err.claim} is missing or invalid`);
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return new TokenRejectedError('algorithm-not-allowed', 'access token algorithm is not allowed');
  }
  if (
    err instanceof joseErrors.JWSSignatureVerificationFailed ||
    err instanceof joseErrors.JWKSNoMatchingKey ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return new TokenRejectedError('bad-signature', 'access token signature does not verify with the issuer keys');
  }
  if (isKeyFetchFailure(err)) {
    return new TokenRejectedError('issuer-unreachable', 'identity provider keys could not be fetched');
  }
  if (err instanceof joseErrors.JOSEError) return new TokenRejectedError('malformed', 'access token is malformed');
  return new TokenRejectedError('malformed', 'access token could not be read');
}

/**
 * The token of an `Authorization: Bearer <token>` header; undefined when the header is missing or another scheme.
 * Only the characters RFC 6750 allows in a token are accepted.
 */
export function bearerToken(authorization: string | undefined | null): string | undefined {
  if (!authorization || authorization.length > MAX_TOKEN_LENGTH + 16) return undefined;
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(authorization);
  return match?.[1];
}
