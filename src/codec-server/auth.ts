/**
 * The break-glass token check (CODEC_SERVER_TOKEN, off unless set): a shared secret for when the identity provider
 * is down. Whoever passes it can decrypt any payload, so the comparison runs in constant time: both sides are
 * hashed first, which also hides the token's length from timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Returns a checker for `Authorization` header values against one expected token. */
export function bearerTokenChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(token);
  return (authorization) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    // Hash and compare even when the header is missing or malformed, so every rejection costs the same.
    const same = timingSafeEqual(sha256(match?.[1] ?? ''), expected);
    return match !== null && same;
  };
}
