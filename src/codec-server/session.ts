/**
 * Browser sessions for the codec server, so the Temporal Web UI can decode.
 *
 * Why: the UI never sends a configured static token. Its only ways to authenticate a codec request are the
 * user's OIDC access token (needs a UI login) or the browser's cookies ("Include cross-origin credentials", which
 * makes it fetch with `credentials: 'include'`). So an admin signs in once on the codec server's own page with the
 * bearer token; the server answers with a session cookie, and the UI's decode requests carry it.
 *
 * The cookie holds a random 256-bit id and nothing else. The server keeps only its SHA-256 (a heap dump or a log
 * of the map does not yield a usable cookie) with an absolute expiry; sessions live in memory, so a restart signs
 * everybody out. Cookie attributes: HttpOnly (page scripts, including the UI's, cannot read it), SameSite=Strict
 * (never sent on requests started by another site), Path limited to the codec server's path prefix, Secure when
 * served over https. Cookies are not port-specific, which is why the server also insists that a cookie-authenticated
 * decode comes from the allowed UI origin (see server.ts).
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'codec_session';
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const DEFAULT_MAX_SESSIONS = 100;

const ID_BYTES = 32;
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

export interface SessionStoreOptions {
  ttlMs?: number;
  /** Beyond this many live sessions, the oldest is dropped: sign-ins cannot grow the heap without bound. */
  maxSessions?: number;
  now?: () => number;
}

export class SessionStore {
  /** digest(id) -> expiry (ms since epoch). Insertion order is creation order, which makes "oldest" cheap. */
  readonly #sessions = new Map<string, number>();
  readonly ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#max = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#now = options.now ?? Date.now;
    if (!(this.ttlMs > 0) || !(this.#max > 0)) throw new TypeError('session ttl and maximum must be positive');
  }

  get size(): number {
    this.#prune();
    return this.#sessions.size;
  }

  /** A new session: the id goes into the cookie, only its digest stays here. */
  create(): { id: string; expiresAt: number } {
    this.#prune();
    while (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(ID_BYTES).toString('base64url');
    const expiresAt = this.#now() + this.ttlMs;
    this.#sessions.set(digest(id), expiresAt);
    return { id, expiresAt };
  }

  /** True for a live session id. Lookup is by digest, so timing says nothing about stored ids. */
  isValid(id: string | undefined): boolean {
    return this.expiresAt(id) !== undefined;
  }

  /** When a live session ends (ms since epoch); undefined for an unknown or expired id. */
  expiresAt(id: string | undefined): number | undefined {
    if (!id || !ID_PATTERN.test(id)) return undefined;
    const key = digest(id);
    const expiresAt = this.#sessions.get(key);
    if (expiresAt === undefined) return undefined;
    if (expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return expiresAt;
  }

  revoke(id: string | undefined): void {
    if (id && ID_PATTERN.test(id)) this.#sessions.delete(digest(id));
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, expiresAt] of this.#sessions) if (expiresAt <= now) this.#sessions.delete(key);
  }
}

/** The value of one cookie from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  secure: boolean;
}

export function sessionCookie(id: string, maxAgeMs: number, options: CookieOptions): string {
  const attributes = [
    `${SESSION_COOKIE}=${id}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(options: CookieOptions): string {
  return sessionCookie('', 0, options);
}
