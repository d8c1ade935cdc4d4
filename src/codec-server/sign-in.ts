/**
 * Admins sign in to the codec server through the identity provider (authorization code + PKCE, confidential
 * client `codec-server`), so every decryption is attributable to a person. The codec server keeps each sign-in it
 * started for ten minutes: the `state` sent to the provider, the PKCE verifier, and the digest of a random value
 * put in a short-lived cookie of the browser that started it. The callback is accepted only with both the state
 * and that cookie, so nobody can finish a sign-in in someone else's browser (login CSRF). `prompt=login` makes the
 * provider ask who is there each time: a decryption session should not ride on whoever last used the browser.
 */
import { createHash } from 'node:crypto';
import { discover, type Discovery } from '../identity/discovery';
import { createPkce, randomToken } from '../identity/pkce';
import { API_SCOPE } from '../identity/resource';
import { requestToken } from '../identity/token-endpoint';

export interface SignInOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `<codec server URL>/session/callback`, as registered with the provider. */
  redirectUri: string;
}

export const SIGN_IN_COOKIE = 'codec_signin';
export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 200;

const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64url');

interface Pending {
  verifier: string;
  bindingDigest: string;
  expiresAt: number;
}

/** Why a callback was not accepted; messages are fixed text for the page. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SignInFlow {
  readonly #pending = new Map<string, Pending>();
  readonly #now: () => number;

  constructor(
    readonly options: SignInOptions,
    now: () => number = Date.now,
  ) {
    this.#now = now;
  }

  /** A new sign-in: where to send the browser, and the value for its sign-in cookie. */
  async start(): Promise<{ authorizationUrl: string; binding: string }> {
    const doc = await this.#discovery();
    this.#prune();
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    const pkce = createPkce();
    const state = randomToken();
    const binding = randomToken();
    this.#pending.set(digest(state), {
      verifier: pkce.verifier,
      bindingDigest: digest(binding),
      expiresAt: this.#now() + SIGN_IN_TTL_MS,
    });
    const url = new URL(doc.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: `openid ${API_SCOPE}`,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      prompt: 'login',
    }).toString();
    return { authorizationUrl: url.href, binding };
  }

  /**
   * Completes a sign-in from the callback's query and the browser's sign-in cookie; resolves to the access token.
   * Each started sign-in completes at most once.
   */
  async complete(query: URLSearchParams, binding: string | undefined): Promise<string> {
    const state = query.get('state') ?? '';
    const key = digest(state);
    const pending = this.#pending.get(key);
    if (!pending || pending.expiresAt <= this.#now() || !binding || digest(binding) !== pending.bindingDigest) {
      throw new SignInError(400, 'This sign-in was not started in this browser, or it expired. Start again.');
    }
    this.#pending.delete(key);
    if (query.get('error')) {
      throw new SignInError(401, 'The sign-in was cancelled or refused by the identity provider.');
    }
    const doc = await this.#discovery();
    const iss = query.get('iss');
    if (iss !== null && iss !== doc.issuer) throw new SignInError(400, 'The sign-in answer came from another issuer.');
    const code = query.get('code');
    if (!code) throw new SignInError(400, 'The sign-in answer has no authorization code.');
    const tokens = await requestToken(
      doc.token_endpoint ?? '',
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.options.redirectUri,
        code_verifier: pending.verifier,
      },
      { clientId: this.options.clientId, clientSecret: this.options.clientSecret },
    );
    return tokens.accessToken;
  }

  get pendingCount(): number {
    this.#prune();
    return this.#pending.size;
  }

  async #discovery(): Promise<Discovery> {
    const doc = await discover(this.options.issuer);
    if (!doc.authorization_endpoint || !doc.token_endpoint) {
      throw new SignInError(502, 'The identity provider publishes no authorization or token endpoint.');
    }
    return doc;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(key);
  }
}
