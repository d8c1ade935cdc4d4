/**
 * Staff sign in through the identity provider with the authorization code flow and PKCE (S256), as the confidential
 * client `gateway-web`. Each sign-in this server starts is kept for ten minutes: the digest of its `state`, the PKCE
 * verifier, the `nonce` the ID token must carry, where to go afterwards, and the digest of a random value put in a
 * short-lived cookie of the browser that started it; the callback is accepted only with both the state and that
 * cookie, so nobody can finish a sign-in in someone else's browser (login CSRF). The ID token is verified (issuer,
 * audience, signature, nonce) and kept for sign-out; the access token is verified by the gateway's own verifier.
 *
 * Sign-out ends the session here, revokes the refresh token and sends the browser to the provider's
 * end_session_endpoint (RP-initiated logout), so the provider's session ends too.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { discover, type Discovery } from '../identity/discovery';
import { createPkce, randomToken } from '../identity/pkce';
import { API_SCOPE } from '../identity/resource';
import { postForm, requestToken, type TokenSet } from '../identity/token-endpoint';
import type { Language } from './i18n';

export interface WebSignInOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${GATEWAY_URL}/auth/callback`, registered with the provider. */
  redirectUri: string;
  /** `${GATEWAY_URL}/`, registered as the post-logout redirect. */
  postLogoutRedirectUri: string;
}

export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 1_000;
const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64url');

interface Pending {
  verifier: string;
  nonce: string;
  bindingDigest: string;
  returnTo: string;
  language?: Language;
  expiresAt: number;
}

/** Why a sign-in did not complete; the message is fixed text for the page (never a provider's words). */
export class WebSignInError extends Error {
  override readonly name = 'WebSignInError';
  constructor(
    readonly status: number,
    readonly reason: 'not-started' | 'refused' | 'bad-answer' | 'provider',
  ) {
    super(`sign-in failed: ${reason}`);
  }
}

export interface CompletedSignIn {
  tokens: TokenSet;
  returnTo: string;
  language?: Language;
  /** The ID token's `locale` claim, if any. */
  locale?: string;
}

/** Paths a sign-in may return to: our own pages only, never another site. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 300) return '/inbox';
  if (!/^\/(inbox|tasks|cases)(\/[A-Za-z0-9_~=.-]*)?(\?[A-Za-z0-9_=&%.~-]*)?$/.test(value)) return '/inbox';
  return value;
}

export class WebSignIn {
  readonly #pending = new Map<string, Pending>();
  readonly #now: () => number;
  #jwks?: { uri: string; get: JWTVerifyGetKey };

  constructor(
    readonly options: WebSignInOptions,
    now: () => number = Date.now,
  ) {
    this.#now = now;
  }

  /** A new sign-in: where to send the browser, and the value for its sign-in cookie. */
  async start(returnTo: string, language?: Language): Promise<{ authorizationUrl: string; binding: string }> {
    const doc = await this.#discovery();
    this.#prune();
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    const pkce = createPkce();
    const state = randomToken();
    const nonce = randomToken();
    const binding = randomToken();
    this.#pending.set(digest(state), {
      verifier: pkce.verifier,
      nonce,
      bindingDigest: digest(binding),
      returnTo: safeReturnPath(returnTo),
      ...(language ? { language } : {}),
      expiresAt: this.#now() + SIGN_IN_TTL_MS,
    });
    const url = new URL(doc.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: `openid profile ${API_SCOPE}`,
      state,
      nonce,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      ...(language ? { ui_locales: language } : {}),
    }).toString();
    return { authorizationUrl: url.href, binding };
  }

  /** Completes a sign-in from the callback's query and the browser's sign-in cookie. Each completes at most once. */
  async complete(query: URLSearchParams, binding: string | undefined): Promise<CompletedSignIn> {
    const key = digest(query.get('state') ?? '');
    const pending = this.#pending.get(key);
    if (!pending || pending.expiresAt <= this.#now() || !binding || digest(binding) !== pending.bindingDigest) {
      throw new WebSignInError(400, 'not-started');
    }
    this.#pending.delete(key);
    if (query.get('error')) throw new WebSignInError(401, 'refused');
    const doc = await this.#discovery();
    const iss = query.get('iss');
    if (iss !== null && iss !== doc.issuer) throw new WebSignInError(400, 'bad-answer');
    const code = query.get('code');
    if (!code || code.length > 2048) throw new WebSignInError(400, 'bad-answer');
    let tokens: TokenSet;
    try {
      tokens = await requestToken(
        doc.token_endpoint ?? '',
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: this.options.redirectUri,
          code_verifier: pending.verifier,
        },
        { clientId: this.options.clientId, clientSecret: this.options.clientSecret },
      );
    } catch {
      throw new WebSignInError(502, 'provider');
    }
    if (!tokens.idToken) throw new WebSignInError(502, 'bad-answer');
    const claims = await this.#verifyIdToken(doc, tokens.idToken, pending.nonce);
    const locale = typeof claims.locale === 'string' ? claims.locale.slice(0, 20) : undefined;
    return {
      tokens,
      returnTo: pending.returnTo,
      ...(pending.language ? { language: pending.language } : {}),
      ...(locale ? { locale } : {}),
    };
  }

  /** New tokens from a refresh token; undefined when the provider refuses (the session must end). */
  async refresh(refreshToken: string): Promise<TokenSet | undefined> {
    const doc = await this.#discovery();
    try {
      return await requestToken(
        doc.token_endpoint ?? '',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { clientId: this.options.clientId, clientSecret: this.options.clientSecret },
      );
    } catch {
      return undefined;
    }
  }

  /** Revokes a refresh token at the provider (best effort: the session here is gone either way). */
  async revoke(refreshToken: string): Promise<void> {
    const doc = await this.#discovery().catch(() => undefined);
    if (!doc?.revocation_endpoint) return;
    await postForm(
      doc.revocation_endpoint,
      { token: refreshToken, token_type_hint: 'refresh_token' },
      { clientId: this.options.clientId, clientSecret: this.options.clientSecret },
    ).catch(() => undefined);
  }

  /** Where to send the browser so the provider ends its session too (RP-initiated logout), if it can. */
  async endSessionUrl(idToken: string | undefined): Promise<string | undefined> {
    const doc = await this.#discovery().catch(() => undefined);
    if (!doc?.end_session_endpoint) return undefined;
    const url = new URL(doc.end_session_endpoint);
    url.search = new URLSearchParams({
      client_id: this.options.clientId,
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).toString();
    return url.href;
  }

  get pendingCount(): number {
    this.#prune();
    return this.#pending.size;
  }

  async #verifyIdToken(doc: Discovery, idToken: string, nonce: string): Promise<Record<string, unknown>> {
    if (!this.#jwks || this.#jwks.uri !== doc.jwks_uri) {
      this.#jwks = { uri: doc.jwks_uri, get: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5_000 }) };
    }
    try {
      const { payload } = await jwtVerify(idToken, this.#jwks.get, {
        issuer: doc.issuer,
        audience: this.options.clientId,
        algorithms: ['RS256', 'PS256', 'ES256', 'RS384', 'RS512', 'PS384', 'PS512', 'ES384', 'EdDSA'],
        clockTolerance: 30,
      });
      if (payload.nonce !== nonce) throw new WebSignInError(400, 'bad-answer');
      return payload as Record<string, unknown>;
    } catch (err) {
      if (err instanceof WebSignInError) throw err;
      throw new WebSignInError(400, 'bad-answer');
    }
  }

  async #discovery(): Promise<Discovery> {
    let doc: Discovery;
    try {
      doc = await discover(this.options.issuer);
    } catch {
      throw new WebSignInError(502, 'provider');
    }
    if (!doc.authorization_endpoint || !doc.token_endpoint) throw new WebSignInError(502, 'provider');
    return doc;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(key);
  }
}
