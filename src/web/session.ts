/**
 * Server-side sessions of the staff web app. The browser holds an opaque random id in an HttpOnly cookie and
 * nothing else; the access, refresh and ID tokens stay here, in memory, under the SHA-256 of that id (a dump of this
 * map yields no usable cookie). A session ends when it is idle for the idle timeout, at its absolute end (never
 * later than the refresh token), at sign-out, or when the provider refuses to renew its tokens. A restart of the
 * gateway signs everybody out, which for staff who work in short sessions is the safe side.
 *
 * Who the person is comes from the verified access token the session was made with (and each renewal re-verifies
 * it); nothing a request says changes it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../domain/agencies';
import type { Language } from './i18n';

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

export interface SessionTokens {
  accessToken: string;
  /** ms since the epoch. */
  accessExpiresAt: number;
  refreshToken?: string;
  idToken?: string;
}

export interface Flash {
  kind: 'success' | 'error';
  text: string;
}

export interface WebSession {
  readonly createdAt: number;
  lastSeenAt: number;
  /** Absolute end. */
  readonly expiresAt: number;
  actor: Actor;
  tokens: SessionTokens;
  /** Secret behind this session's CSRF tokens. */
  readonly csrfSecret: string;
  /** The language the person chose with the switcher, for this session. */
  language?: Language;
  /** The identity provider's `locale` for the person. */
  providerLanguage?: Language;
  /** One message for the next page (after a redirect). */
  flash?: Flash;
  /** A renewal in flight, so concurrent requests share it. */
  renewing?: Promise<boolean>;
}

export interface SessionStoreOptions {
  idleTimeoutMs: number;
  maxAgeMs: number;
  maxSessions: number;
  now?: () => number;
}

export class WebSessionStore {
  readonly #sessions = new Map<string, WebSession>();
  readonly #now: () => number;

  constructor(readonly options: SessionStoreOptions) {
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    this.#prune();
    return this.#sessions.size;
  }

  create(init: Pick<WebSession, 'actor' | 'tokens' | 'csrfSecret'> & Partial<WebSession>): {
    id: string;
    session: WebSession;
  } {
    this.#prune();
    while (this.#sessions.size >= this.options.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const now = this.#now();
    const id = randomBytes(32).toString('base64url');
    const session: WebSession = { ...init, createdAt: now, lastSeenAt: now, expiresAt: now + this.options.maxAgeMs };
    this.#sessions.set(digest(id), session);
    return { id, session };
  }

  /**
   * The live session for this cookie value. `touch` (page views and form posts) counts as activity; the live feed
   * and other background requests do not, so an open tab does not keep a session alive forever.
   */
  get(id: string | undefined, opts: { touch?: boolean } = {}): WebSession | undefined {
    if (!id || !ID_PATTERN.test(id)) return undefined;
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    const now = this.#now();
    if (session.expiresAt <= now || session.lastSeenAt + this.options.idleTimeoutMs <= now) {
      this.#sessions.delete(key);
      return undefined;
    }
    if (opts.touch) session.lastSeenAt = now;
    return session;
  }

  /** Whether the session is still live, without counting as activity. */
  isLive(id: string | undefined): boolean {
    return this.get(id) !== undefined;
  }

  end(id: string | undefined): WebSession | undefined {
    if (!id || !ID_PATTERN.test(id)) return undefined;
    const key = digest(id);
    const session = this.#sessions.get(key);
    this.#sessions.delete(key);
    return session;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, s] of this.#sessions) {
      if (s.expiresAt <= now || s.lastSeenAt + this.options.idleTimeoutMs <= now) this.#sessions.delete(key);
    }
  }
}

export interface CookieSettings {
  secure: boolean;
}

/** `__Host-` binds the cookie to this host and path / (it requires Secure); plain http gets a plain name. */
export function sessionCookieName(s: CookieSettings): string {
  return s.secure ? '__Host-cases_web' : 'cases_web';
}

export function signInCookieName(s: CookieSettings): string {
  return s.secure ? '__Host-cases_signin' : 'cases_signin';
}

/**
 * SameSite=Lax, not Strict: a link in a notification e-mail is a cross-site navigation, and a Strict cookie would
 * not come along, sending staff through the provider again on every link. Lax cookies never accompany cross-site
 * POSTs, and every form also carries a CSRF token and is origin-checked (csrf.ts).
 */
export function setCookie(name: string, value: string, maxAgeMs: number, s: CookieSettings): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (s.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearCookie(name: string, s: CookieSettings): string {
  return setCookie(name, '', 0, s);
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.slice(0, 8192).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
