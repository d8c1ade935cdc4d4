/**
 * The embedded development identity provider: oidc-provider (a certified OpenID Provider) configured from the dev
 * seed, so development and tests exercise real OpenID Connect, the same protocol Keycloak speaks in production.
 *
 * - Access tokens are JWTs for one resource, our API: `aud` = OIDC_AUDIENCE, 15 minutes, signed RS256 with the
 *   generated keys, carrying `agency`, `staff_id` (people), `roles` and `client_id`. For a person these come from the
 *   account; for an agency's script (client credentials) from the client's entry in the seed.
 * - People sign in with authorization code + PKCE (PKCE is required of every client here) or the device flow
 *   (the `cases` CLI); refresh tokens for people last 8 hours. The sign-in and consent pages are ours (pages.ts);
 *   oidc-provider's development interactions stay off. Consent is granted without asking for first-party clients.
 * - Script clients: client credentials only. The userinfo endpoint is off: every client gets what it needs in the
 *   access token (and the ID token), and access tokens are bound to our API, not to userinfo.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, {
  errors,
  type Configuration,
  type KoaContextWithOIDC,
  type ClientMetadata,
  type InteractionResults,
} from 'oidc-provider';
import type { Logger } from 'pino';
import {
  consentPage,
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  loggedOutPage,
  loginPage,
  logoutPage,
  PAGE_CSP,
} from './pages';
import { API_SCOPE, resourceIndicatorFor } from './resource';
import type { IdentitySecrets, PrivateJwks } from './secret-files';
import { resolveUri, type DevAccount, type DevClient, type DevSeed, type SeedUrls } from './seed';

export const ACCESS_TOKEN_TTL_SEC = 15 * 60;
export const PERSON_REFRESH_TTL_SEC = 8 * 60 * 60;
const SESSION_TTL_SEC = 8 * 60 * 60;
const INTERACTION_TTL_SEC = 10 * 60;
const MAX_FORM_BYTES = 4 * 1024;

export interface IdentityProviderOptions {
  /** `http://IDP_HOST:IDP_PORT`. */
  issuer: string;
  seed: DevSeed;
  urls: SeedUrls;
  secrets: IdentitySecrets;
  jwks: PrivateJwks;
  /** OIDC_AUDIENCE: the `aud` of every access token. */
  audience: string;
  logger: Logger;
}

export interface IdentityProvider {
  provider: Provider;
  /** The request handler for node:http: our interaction pages, then oidc-provider's endpoints. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

function clientMetadata(client: DevClient, secrets: IdentitySecrets, urls: SeedUrls): ClientMetadata {
  const secret = secrets.clients[client.clientId];
  switch (client.type) {
    case 'script':
      if (!secret) throw new Error(`no secret for client ${client.clientId}`);
      return {
        client_id: client.clientId,
        client_name: client.name,
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      };
    case 'cli':
      return {
        client_id: client.clientId,
        client_name: client.name,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', GRANT_DEVICE_CODE],
        response_types: ['code'],
        redirect_uris: client.redirectUris,
      };
    case 'web':
      if (!secret) throw new Error(`no secret for client ${client.clientId}`);
      return {
        client_id: client.clientId,
        client_name: client.name,
        client_secret: secret,
        grant_types: client.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
        response_types: ['code'],
        redirect_uris: client.redirectUris.map((u) => resolveUri(u, urls)),
        post_logout_redirect_uris: client.postLogoutRedirectUris.map((u) => resolveUri(u, urls)),
        token_endpoint_auth_method: 'client_secret_basic',
      };
    default: {
      const _exhaustive: never = client;
      return _exhaustive;
    }
  }
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': PAGE_CSP,
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    // Not no-referrer: with it, browsers send `Origin: null` on form posts and the origin check cannot tell.
    'Referrer-Policy': 'same-origin',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(html);
}

/** Pages rendered by oidc-provider's hooks (koa context). */
function setPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = html;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new FormError(413, 'form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.once('error', reject);
  });
}

class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  const { seed, secrets, logger } = options;
  const log = logger.child({ component: 'identity-provider' });
  const indicator = resourceIndicatorFor(options.audience);
  const accountsBySubject = new Map<string, DevAccount>(seed.accounts.map((a) => [a.subject, a]));
  const accountsByUsername = new Map<string, DevAccount>(seed.accounts.map((a) => [a.username, a]));
  const clientsById = new Map<string, DevClient>(seed.clients.map((c) => [c.clientId, c]));
  const devPasswordDigest = sha256(secrets.devPassword);
  const issuerOrigin = new URL(options.issuer).origin;

  const passwordMatches = (presented: string): boolean => timingSafeEqual(sha256(presented), devPasswordDigest);
  const firstParty = (clientId: string): boolean => {
    const client = clientsById.get(clientId);
    return client !== undefined && (client.type !== 'web' || client.firstParty);
  };
  const clientName = (clientId: string): string => clientsById.get(clientId)?.name ?? clientId;

  const configuration: Configuration = {
    clients: seed.clients.map((c) => clientMetadata(c, secrets, options.urls)),
    jwks: options.jwks as unknown as Configuration['jwks'],
    cookies: { keys: secrets.cookieKeys },
    scopes: ['openid', 'offline_access', 'profile', 'email', API_SCOPE],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'locale', 'agency', 'staff_id', 'roles'],
      email: ['email', 'email_verified'],
    },
    // The ID token carries the profile claims itself: there is no userinfo endpoint to fetch them from.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = accountsBySubject.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          preferred_username: account.username,
          locale: account.locale,
          email: account.email,
          email_verified: true,
          ...(account.agency ? { agency: account.agency } : {}),
          staff_id: account.staffId,
          roles: account.roles,
        }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      if (accountId) {
        const account = accountsBySubject.get(accountId);
        if (!account) return undefined;
        return {
          ...(account.agency ? { agency: account.agency } : {}),
          staff_id: account.staffId,
          roles: account.roles,
        };
      }
      const client = token.clientId ? clientsById.get(token.clientId) : undefined;
      return client?.type === 'script' ? { agency: client.agency, roles: client.roles } : undefined;
    },
    // Authorization code only: no implicit or hybrid flows, which put tokens in URLs.
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => setPage(ctx, logoutPage(form, ctx.host)),
        postLogoutSuccessSource: (ctx) => setPage(ctx, loggedOutPage()),
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx, _form, _out, err) => {
          const problem =
            err === undefined
              ? undefined
              : err.name === 'NoCodeError' || 'userCode' in err
                ? 'That code is not valid (or no longer). Check it and try again.'
                : err.name === 'AbortedError'
                  ? 'The sign-in was aborted.'
                  : 'The code could not be checked.';
          setPage(ctx, deviceInputPage(ctx.oidc.urlFor('code_verification'), xsrfOf(ctx), problem));
        },
        userCodeConfirmSource: (ctx, _form, client, _deviceInfo, userCode) =>
          setPage(
            ctx,
            deviceConfirmPage(ctx.oidc.urlFor('code_verification'), xsrfOf(ctx), userCode, clientName(client.clientId)),
          ),
        successSource: (ctx) => setPage(ctx, deviceSuccessPage(clientName(ctx.oidc.client?.clientId ?? ''))),
      },
      resourceIndicators: {
        enabled: true,
        // Clients need not name our API: it is the only resource there is.
        defaultResource: () => indicator,
        // The token endpoint issues for the resource granted at authorization, not for a userinfo endpoint.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== indicator) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: options.audience,
            accessTokenTTL: ACCESS_TOKEN_TTL_SEC,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // Refresh tokens for people (not for scripts, which just ask again), without requiring offline_access.
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && Boolean(code.accountId),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SEC,
      ClientCredentials: ACCESS_TOKEN_TTL_SEC,
      IdToken: ACCESS_TOKEN_TTL_SEC,
      AuthorizationCode: 60,
      DeviceCode: 10 * 60,
      Interaction: INTERACTION_TTL_SEC,
      RefreshToken: PERSON_REFRESH_TTL_SEC,
      Session: SESSION_TTL_SEC,
      Grant: SESSION_TTL_SEC,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      setPage(ctx, errorPage(String(out.error), out.error_description ? String(out.error_description) : undefined));
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.on('server_error', (_ctx, err) =>
    log.error({ err: { name: err.name, message: err.message } }, 'provider error'),
  );
  // OAuth error codes and the provider's own descriptions: never a token, a secret or a password.
  const refused = (event: string) => (_ctx: unknown, err: errors.OIDCProviderError) =>
    log.warn({ event, error: err.error, description: err.error_description }, 'request refused');
  provider.on('grant.error', refused('grant.error'));
  provider.on('authorization.error', refused('authorization.error'));
  provider.on('grant.success', (ctx) =>
    log.info({ client: ctx.oidc.client?.clientId, grant: ctx.oidc.params?.grant_type }, 'token issued'),
  );

  const callback = provider.callback();

  /** A form may be posted only by our own pages; without an Origin (curl, dev-login.ts) it is accepted. */
  const checkOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== issuerOrigin)
      throw new FormError(403, 'forms are accepted from this page only');
  };

  const finish = (req: IncomingMessage, res: ServerResponse, result: InteractionResults, merge: boolean) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });

  const showInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new FormError(400, 'interaction mismatch');
    const clientId = String(details.params.client_id ?? '');
    const base = `/interaction/${encodeURIComponent(uid)}`;
    if (details.prompt.name === 'login') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      sendPage(
        res,
        200,
        loginPage({
          action: `${base}/login`,
          abortAction: `${base}/abort`,
          clientName: clientName(clientId),
          accounts: seed.accounts,
          ...(hint && accountsByUsername.has(hint) ? { selected: hint } : {}),
        }),
      );
      return;
    }
    if (details.prompt.name === 'consent') {
      if (firstParty(clientId)) {
        await finish(req, res, { consent: await grantConsent(details) }, true);
        return;
      }
      const scopes = String(details.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      sendPage(
        res,
        200,
        consentPage({
          action: `${base}/confirm`,
          abortAction: `${base}/abort`,
          clientName: clientName(clientId),
          scopes,
        }),
      );
      return;
    }
    throw new FormError(400, 'unsupported interaction');
  };

  /** Grants what the prompt found missing: the requested OIDC scopes and claims, and our API's scopes. */
  const grantConsent = async (details: Awaited<ReturnType<Provider['interactionDetails']>>) => {
    const accountId = details.session?.accountId;
    if (!accountId) throw new FormError(400, 'no signed-in account');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new FormError(400, 'grant not found');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    return details.grantId ? {} : { grantId };
  };

  const submitLogin = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    checkOrigin(req);
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') throw new FormError(400, 'not a sign-in');
    const form = await readForm(req);
    const account = accountsByUsername.get(form.get('login') ?? '');
    // The password is checked even for an unknown account, so both refusals take the same time.
    const passwordOk = passwordMatches(form.get('password') ?? '');
    const clientId = String(details.params.client_id ?? '');
    if (!account || !passwordOk) {
      log.warn({ client: clientId }, 'sign-in refused');
      sendPage(
        res,
        401,
        loginPage({
          action: `/interaction/${encodeURIComponent(uid)}/login`,
          abortAction: `/interaction/${encodeURIComponent(uid)}/abort`,
          clientName: clientName(clientId),
          accounts: seed.accounts,
          failed: true,
        }),
      );
      return;
    }
    log.info({ client: clientId, account: account.username }, 'signed in');
    await finish(req, res, { login: { accountId: account.subject } }, false);
  };

  const submitConsent = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    checkOrigin(req);
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'consent') throw new FormError(400, 'not a consent');
    await readForm(req);
    await finish(req, res, { consent: await grantConsent(details) }, true);
  };

  const abort = async (req: IncomingMessage, res: ServerResponse) => {
    checkOrigin(req);
    await readForm(req);
    await finish(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, false);
  };

  const interaction = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort))?$/.exec(path);
    if (!match) return false;
    const [, uid = '', action] = match;
    try {
      if (req.method === 'GET' && action === undefined) await showInteraction(req, res, uid);
      else if (req.method === 'POST' && action === 'login') await submitLogin(req, res, uid);
      else if (req.method === 'POST' && action === 'confirm') await submitConsent(req, res, uid);
      else if (req.method === 'POST' && action === 'abort') await abort(req, res);
      else throw new FormError(405, 'method not allowed');
    } catch (err) {
      if (res.headersSent) return true;
      if (err instanceof FormError) sendPage(res, err.status, errorPage('invalid_request', err.message));
      else if (err instanceof errors.SessionNotFound) {
        sendPage(res, 400, errorPage('session_not_found', 'this sign-in has expired or was finished; start again'));
      } else {
        log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'interaction failed');
        sendPage(res, 500, errorPage('server_error'));
      }
    }
    return true;
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    if (path.startsWith('/interaction/')) {
      interaction(req, res, path).then(
        (handled) => {
          if (!handled) sendPage(res, 404, errorPage('not_found'));
        },
        () => res.destroy(),
      );
      return;
    }
    void callback(req, res);
  };

  return { provider, handler };
}

/** The device flow's form secret, which oidc-provider keeps in the session state. */
function xsrfOf(ctx: KoaContextWithOIDC): string {
  const state = ctx.oidc.session?.state as { secret?: unknown } | undefined;
  return typeof state?.secret === 'string' ? state.secret : '';
}
