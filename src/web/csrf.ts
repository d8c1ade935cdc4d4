/**
 * Cross-site request forgery protection for every form that changes something. Two checks, both required:
 * - a synchronizer token: each session has a random secret; every form carries a token derived from it (HMAC over
 *   the secret and the form's purpose), compared in constant time. A page of another site cannot read it;
 * - the request's origin: a browser says where a POST comes from (Origin, else Sec-Fetch-Site); a POST from
 *   another origin is refused even with a token.
 * GET forms (the inbox filters) change nothing and carry no token: a token in a URL would end up in history.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new per-session secret. */
export function newCsrfSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a form for `purpose` carries (purpose: `task`, `claim`, `sign-out`, `language`...). */
export function csrfToken(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(`csrf\n${purpose}`).digest('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function checkCsrfToken(secret: string, purpose: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || !TOKEN.test(presented)) return false;
  const expected = Buffer.from(csrfToken(secret, purpose));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a state-changing request comes from our own pages. `Origin` must be ours when present; without it
 * (older browsers on same-origin posts), `Sec-Fetch-Site` must not say cross-site. A request with neither is
 * accepted here and left to the token.
 */
export function sameOrigin(
  headers: { origin?: string | undefined; 'sec-fetch-site'?: string | undefined },
  ourOrigin: string,
): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return origin === ourOrigin;
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
