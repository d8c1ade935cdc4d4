/**
 * Browser sessions for the codec server, so the Temporal Web UI can decode.
 *
 * Why: the UI never sends a configured static token. Its only ways to authenticate a codec request are the
 * user's OIDC access token (needs a UI login) or the browser's cookies ("Include cross-origin credentials", which
 * makes it fetch with `credentials: 'include'`). So an admin signs in once through the codec server's own page,
 * which sends them to the identity provider (sign-in.ts); the server answers with a session cookie, and the UI's
 * decode requests carry it. Each session records who signed in (the token's subject and staff id), so every
 * decryption is logged against a person.
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

/** Who a session belongs to: the access token's subject and staff id, or the break-glass token. */
export interface Principal {
  subject: string;
  staffId?: string;
  via: 'sign-in' | 'bearer' | 'break-glass';
}

interface Session {
  expiresAt: number;
  principal: Principal;
}

export class SessionStore {
  /** digest(id) -> session. Insertion order is creation order, which makes "oldest" cheap. */
  readonly #sessions = new Map<string, Session>();
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

  /** A new session for `principal`: the id goes into the cookie, only its digest stays here. */
  create(principal: Principal): { id: string; expiresAt: number } {
    this.#prune();
    while (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomBytes(ID_BYTES).toString('base64url');
    const expiresAt = this.#now() + this.ttlMs;
    this.#sessions.set(digest(id), { expiresAt, principal: { ...principal } });
    return { id, expiresAt };
  }

  /** The live session with this id, or undefined. Lookup is by digest, so timing says nothing about stored ids. */
  get(id: string | undefined): { expiresAt: number; principal: Principal } | undefined {
    if (!id || !ID_PATTERN.test(id)) return undefined;
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return { expiresAt: session.expiresAt, principal: { ...session.principal } };
  }

  isValid(id: string | undefined): boolean {
    return this.get(id) !== undefined;
  }

  /** When a live session ends (ms since epoch); undefined for an unknown or expired id. */
  expiresAt(id: string | undefined): number | undefined {
    return this.get(id)?.expiresAt;
  }

  revoke(id: string | undefined): void {
    if (id && ID_PATTERN.test(id)) this.#sessions.delete(digest(id));
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
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

function cookie(
  name: string,
  value: string,
  maxAgeMs: number,
  sameSite: 'Strict' | 'Lax',
  options: CookieOptions,
): string {
  const attributes = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
    'HttpOnly',
    `SameSite=${sameSite}`,
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function sessionCookie(id: string, maxAgeMs: number, options: CookieOptions): string {
  return cookie(SESSION_COOKIE, id, maxAgeMs, 'Strict', options);
}

export function clearedSessionCookie(options: CookieOptions): string {
  return sessionCookie('', 0, options);
}

/**
 * The cookie tying a sign-in to the browser that started it. Lax, not Strict: the browser comes back to the
 * callback by a top-level navigation from the identity provider, another site in production, and Strict cookies
 * stay home on those.
 */
export function signInCookie(name: string, value: string, maxAgeMs: number, options: CookieOptions): string {
  return cookie(name, value, maxAgeMs, 'Lax', options);
}
