/**
 * Codec server: lets the Temporal Web UI (and `temporal workflow show --codec-endpoint`) decrypt payloads for
 * admins, following Temporal's remote codec protocol: POST .../encode and POST .../decode, JSON Payloads in and
 * out. Only the last path segment selects the operation, so the server can sit behind any path prefix (for example
 * one per namespace).
 *
 * Every decryption is attributable to a person. Ways in:
 * - `Authorization: Bearer <access token>` from the identity provider, with the `admin` role (the Temporal CLI's
 *   `--codec-auth`, scripts). Verified like the gateway verifies tokens (src/identity/verify.ts): a token that does
 *   not verify gets 401, a verified one without the admin role 403.
 * - a session cookie, for the Web UI, which cannot send a token of its own choosing (session.ts). An admin opens
 *   `.../session`, which sends the browser to the identity provider (authorization code + PKCE, sign-in.ts); the
 *   callback `.../session/callback` checks the admin role and starts a session recording who signed in. POST
 *   `.../session` with a bearer access token starts one too (curl); DELETE, or POST with `signout=1`, signs out. A
 *   cookie-authenticated encode/decode is accepted only from the allowed UI origin: cookies are not port-specific,
 *   so other local pages would carry it too.
 * - break-glass: a shared token (CODEC_SERVER_TOKEN), only when configured, for when the identity provider is down.
 *   Accepted as a bearer token and at `.../session` (form at `.../session/break-glass`); every use is logged at warn
 *   level as break-glass.
 *
 * Everything that passes the checks can read victims' data in the clear, hence: CORS for the UI origin only, a body
 * size limit, `Cache-Control: no-store` on every answer, and logs that record who (subject, staff id) asked for how
 * many payloads but never a payload, a token or a cookie.
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { DiscoveryError } from '../identity/discovery';
import { OAuthError } from '../identity/token-endpoint';
import { bearerToken, TokenRejectedError, type Identity, type TokenVerifier } from '../identity/verify';
import { CodecError } from '../temporal/codec';
import { bearerTokenChecker } from './auth';
import { corsHeaders, normalizeOrigin, preflightHeaders } from './cors';
import { breakGlassPage, HTML_HEADERS, refusedPage, signedInPage, signedOutPage, unavailablePage } from './login-page';
import { describeIssues, payloadsBodySchema, payloadsFromJson, payloadsToJson } from './protocol';
import {
  clearedSessionCookie,
  cookieValue,
  SESSION_COOKIE,
  sessionCookie,
  SessionStore,
  signInCookie,
  type Principal,
} from './session';
import { SIGN_IN_COOKIE, SIGN_IN_TTL_MS, SignInError, type SignInFlow } from './sign-in';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Shorter than the config's 16-character rule would be a configuration bug, not a choice. */
const MIN_TOKEN_LENGTH = 16;
/** A sign-in body is one short field. */
const MAX_SESSION_BODY_BYTES = 4 * 1024;
export const ADMIN_ROLE = 'admin';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Verifies bearer access tokens and the sign-in's token (OIDC_ISSUER, OIDC_AUDIENCE, claim mapping). */
  verifier: TokenVerifier;
  /** Browser sign-in through the identity provider (client codec-server). */
  signIn: SignInFlow;
  /** The break-glass shared token (CODEC_SERVER_TOKEN); off when undefined. */
  breakGlassToken?: string;
  /** The Temporal UI origin allowed by CORS, e.g. http://127.0.0.1:8233 (a full URL is reduced to its origin). */
  allowedOrigin: string;
  logger: Logger;
  /** Request bodies above this size get 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Browser sessions: lifetime and cap; default 8 hours, 100 sessions. */
  sessions?: SessionStore;
  /** Mark the cookies Secure. Set it when browsers reach this server over https (e.g. behind a proxy). */
  secureCookie?: boolean;
}

type Route = 'encode' | 'decode' | 'session' | 'callback' | 'break-glass';

/** An answer decided before the codec runs: status, a message for the client, extra headers. */
class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="codec"' };

/** Creates (does not start) the server; call `listen` on it. Port 0 is fine for tests. */
export function createCodecServer(options: CodecServerOptions): Server {
  const codecServer = new CodecServer(options);
  const server = createServer((req, res) => codecServer.serve(req, res));
  // Bound slow clients: nobody needs 5 minutes (Node's default) to send 4 MiB on the way to a browser tab.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** One request's log entry, filled as the request is handled (who, what, how it ended; never content). */
type RequestLog = Record<string, unknown>;

/** A session route, and what the handlers of `.../session` and below share. */
interface SessionRequest {
  req: IncomingMessage;
  res: ServerResponse;
  log: RequestLog;
  sessionPath: string;
  cookieOptions: { path: string; secure: boolean };
  signInCookieOptions: { path: string; secure: boolean };
  /** The session cookie the browser sent, if any. */
  current: string | undefined;
}

/** The request handling behind createCodecServer, in named parts: authentication, the codec, the session pages. */
class CodecServer {
  private readonly allowedOrigin: string;
  private readonly maxBodyBytes: number;
  private readonly isBreakGlass: (authorization: string) => boolean;
  private readonly breakGlassEnabled: boolean;
  private readonly logger: Logger;
  private readonly sessions: SessionStore;
  private readonly secureCookie: boolean;

  constructor(private readonly options: CodecServerOptions) {
    if (options.breakGlassToken !== undefined && options.breakGlassToken.length < MIN_TOKEN_LENGTH) {
      throw new TypeError(`codec server break-glass token must be at least ${MIN_TOKEN_LENGTH} characters`);
    }
    this.allowedOrigin = normalizeOrigin(options.allowedOrigin);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.isBreakGlass = options.breakGlassToken ? bearerTokenChecker(options.breakGlassToken) : () => false;
    this.breakGlassEnabled = options.breakGlassToken !== undefined;
    this.logger = options.logger.child({ component: 'codec-server' });
    this.sessions = options.sessions ?? new SessionStore();
    this.secureCookie = options.secureCookie ?? false;
  }

  /** The http server's handler: never throws; an unexpected error is a logged 500. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((err: unknown) => {
      // Unexpected: log the error class and message only (a message could in theory quote input).
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      this.logger.error({ err: { type: err instanceof Error ? err.name : typeof err, code } }, 'codec request failed');
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.startLog(req, res);
    // The response varies by Origin whatever the outcome; decoded data must never sit in any cache.
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      const route = routeOf(req.url);
      log.operation = route ?? 'unknown';
      if (req.method === 'OPTIONS') return this.preflight(req, res);
      // From here on, allowed-origin responses (errors included) carry CORS headers so the UI can show them.
      for (const [name, value] of Object.entries(corsHeaders(req.headers.origin, this.allowedOrigin))) {
        if (value !== undefined) res.setHeader(name, value);
      }
      if (route === 'session' || route === 'callback' || route === 'break-glass') {
        return await this.session(route, req, res, log);
      }
      await this.authenticate(req, log);
      if (!route) throw new HttpError(404, 'not found: POST .../encode or .../decode');
      if (req.method !== 'POST') throw new HttpError(405, 'method not allowed: use POST', { Allow: 'POST, OPTIONS' });
      await this.runCodec(route, req, res, log);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      log.reason = err.message;
      sendJson(res, err.status, { error: err.message }, err.headers);
    }
  }

  /** Who asked for what, how it ended, how long it took: logged when the response is finished. */
  private startLog(req: IncomingMessage, res: ServerResponse): RequestLog {
    const started = process.hrtime.bigint();
    const log: RequestLog = { method: req.method, remote: req.socket.remoteAddress };
    const namespace = req.headers['x-namespace'];
    if (typeof namespace === 'string') log.namespace = namespace.slice(0, 200);
    res.on('finish', () => {
      const entry = { ...log, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      if (res.statusCode === 401 || res.statusCode === 403) this.logger.warn(entry, 'codec request refused');
      else if (log.auth === 'break-glass') this.logger.warn(entry, 'codec request with the break-glass token');
      else this.logger.info(entry, 'codec request');
    });
    return log;
  }

  /**
   * Preflights carry no Authorization header (browsers never send credentials on them), so they are answered
   * before the token check; they reveal nothing but the CORS policy.
   */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.allowedOrigin) throw new HttpError(403, 'origin not allowed');
    res.writeHead(204, {
      Allow: 'POST, OPTIONS',
      ...(origin === undefined ? {} : preflightHeaders(this.allowedOrigin)),
    });
    res.end();
  }

  /** An admin's bearer token (or the break-glass token), or a session cookie from the UI origin; else 401/403. */
  private async authenticate(req: IncomingMessage, log: RequestLog): Promise<void> {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      // A header decides on its own: a wrong token is refused even if a session cookie came along.
      const principal = await this.principalOfHeader(authorization, log);
      if (principal.via === 'bearer') log.auth = 'bearer';
      return;
    }
    const session = this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
    if (!session) throw new HttpError(401, 'missing or invalid access token (or no valid session)', CHALLENGE);
    // The UI's fetch always sends Origin; a request from anywhere else gains nothing from the cookie.
    if (req.headers.origin !== this.allowedOrigin) {
      throw new HttpError(401, 'session cookie accepted only from the Temporal UI origin', CHALLENGE);
    }
    log.auth = session.principal.via === 'break-glass' ? 'break-glass' : 'session';
    log.subject = session.principal.subject;
    if (session.principal.staffId) log.staffId = session.principal.staffId;
  }

  /** Encode or decode the request's Payloads JSON. */
  private async runCodec(route: Route, req: IncomingMessage, res: ServerResponse, log: RequestLog): Promise<void> {
    const body = await readJsonBody(req, this.maxBodyBytes);
    const parsed = payloadsBodySchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, `invalid Payloads JSON: ${describeIssues(parsed.error)}`);
    const payloads = payloadsFromJson(parsed.data);
    log.payloads = payloads.length;
    let result: Payload[];
    try {
      const { codec } = this.options;
      result = route === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    } catch (err) {
      // Codec errors name a key id or the failed check, never data: safe to hand back (the protocol says 400).
      if (err instanceof CodecError) throw new HttpError(400, err.message);
      throw err;
    }
    sendJson(res, 200, payloadsToJson(result));
  }

  /**
   * The principal of an `Authorization` header: the break-glass token, or a verified admin access token.
   * Throws 401 (no valid token) or 403 (valid, but not an admin).
   */
  private async principalOfHeader(authorization: string, log: RequestLog): Promise<Principal> {
    if (this.isBreakGlass(authorization)) {
      log.auth = 'break-glass';
      return { subject: 'break-glass', via: 'break-glass' };
    }
    let identity: Identity;
    try {
      identity = await this.options.verifier.verify(bearerToken(authorization));
    } catch (err) {
      if (!(err instanceof TokenRejectedError)) throw err;
      log.tokenRejected = err.reason;
      if (err.reason === 'issuer-unreachable') {
        throw new HttpError(503, 'the identity provider cannot be reached to check the token');
      }
      throw new HttpError(401, 'missing or invalid access token (or no valid session)', CHALLENGE);
    }
    return adminPrincipal(identity, 'bearer', log);
  }

  /**
   * `.../session` and below. GET `.../session`: the signed-in status, or (signed out) the start of a sign-in at the
   * identity provider. GET `.../session/callback`: the provider's answer. POST `.../session`: sign out, or sign in
   * with a bearer access token (or the break-glass token). Posts are accepted without an Origin header (curl) or
   * from this server's own pages; any other page posting here is refused, so no site can sign a browser in or out
   * behind the admin's back.
   */
  private async session(
    route: 'session' | 'callback' | 'break-glass',
    req: IncomingMessage,
    res: ServerResponse,
    log: RequestLog,
  ): Promise<void> {
    const prefix = prefixOf(req.url);
    const sessionPath = `${prefix}/session`;
    const sr: SessionRequest = {
      req,
      res,
      log,
      sessionPath,
      cookieOptions: { path: prefix === '' ? '/' : prefix, secure: this.secureCookie },
      signInCookieOptions: { path: sessionPath, secure: this.secureCookie },
      current: cookieValue(req.headers.cookie, SESSION_COOKIE),
    };
    if (route === 'break-glass') return this.breakGlassForm(sr);
    if (route === 'callback') return this.signInCallback(sr);
    if (req.method === 'GET') return this.sessionStatusOrSignIn(sr);
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      throw new HttpError(405, 'method not allowed: GET, POST or DELETE', { Allow: 'GET, POST, DELETE' });
    }
    return this.signInOrOut(sr);
  }

  /** A new session for `principal`: a new id on every sign-in (no fixation); the browser's previous one ends. */
  private startSession(sr: SessionRequest, principal: Principal, extra: string[] = []) {
    this.sessions.revoke(sr.current);
    const session = this.sessions.create(principal);
    sr.log.session = 'signed-in';
    sr.log.subject = principal.subject;
    if (principal.staffId) sr.log.staffId = principal.staffId;
    return { session, cookies: [sessionCookie(session.id, this.sessions.ttlMs, sr.cookieOptions), ...extra] };
  }

  private breakGlassForm({ req, res, sessionPath }: SessionRequest): void {
    if (!this.breakGlassEnabled) throw new HttpError(404, 'not found');
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed: GET', { Allow: 'GET' });
    sendHtml(res, 200, breakGlassPage(sessionPath));
  }

  /** The identity provider's answer: an admin starts a session; anyone else is refused with a plain page. */
  private async signInCallback(sr: SessionRequest): Promise<void> {
    const { req, res, log, sessionPath } = sr;
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed: GET', { Allow: 'GET' });
    const clearSignIn = signInCookie(SIGN_IN_COOKIE, '', 0, sr.signInCookieOptions);
    let identity: Identity;
    try {
      const accessToken = await this.options.signIn.complete(
        new URLSearchParams((req.url ?? '').split('?')[1] ?? ''),
        cookieValue(req.headers.cookie, SIGN_IN_COOKIE),
      );
      identity = await this.options.verifier.verify(accessToken);
    } catch (err) {
      const [status, message] = signInFailure(err, log);
      log.session = 'refused';
      sendHtml(res, status, refusedPage(sessionPath, message), { 'Set-Cookie': clearSignIn });
      return;
    }
    let principal: Principal;
    try {
      principal = adminPrincipal(identity, 'sign-in', log);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      log.session = 'refused';
      const message = 'Decoding payloads needs the admin role, and this account does not have it.';
      sendHtml(res, 403, refusedPage(sessionPath, message), { 'Set-Cookie': clearSignIn });
      return;
    }
    const { session, cookies } = this.startSession(sr, principal, [clearSignIn]);
    // Shown right here rather than after a redirect: the browser arrived from the identity provider (another
    // site in production), and a SameSite=Strict cookie would not come along on a redirect in that navigation.
    sendHtml(res, 200, signedInPage(sessionPath, this.allowedOrigin, principal, session.expiresAt), {
      'Set-Cookie': cookies,
    });
  }

  /** GET `.../session`: who is signed in, or off to the identity provider to sign in. */
  private async sessionStatusOrSignIn({ res, log, sessionPath, current, signInCookieOptions }: SessionRequest) {
    const live = this.sessions.get(current);
    if (live) {
      sendHtml(res, 200, signedInPage(sessionPath, this.allowedOrigin, live.principal, live.expiresAt));
      return;
    }
    let started: Awaited<ReturnType<SignInFlow['start']>>;
    try {
      started = await this.options.signIn.start();
    } catch (err) {
      const [, message] = signInFailure(err, log);
      sendHtml(res, 503, unavailablePage(message, this.breakGlassEnabled, `${sessionPath}/break-glass`));
      return;
    }
    log.session = 'sign-in-started';
    res.writeHead(303, {
      Location: started.authorizationUrl,
      'Set-Cookie': signInCookie(SIGN_IN_COOKIE, started.binding, SIGN_IN_TTL_MS, signInCookieOptions),
    });
    res.end();
  }

  /** POST or DELETE `.../session`: sign out, or sign in with a bearer token (or the break-glass form). */
  private async signInOrOut(sr: SessionRequest): Promise<void> {
    const { req, res, log, sessionPath } = sr;
    const origin = req.headers.origin;
    // This server's own page, whichever scheme the browser saw (a TLS-terminating proxy keeps the Host).
    const ownOrigins = ['http', 'https'].map((scheme) => `${scheme}://${req.headers.host ?? ''}`);
    if (origin !== undefined && !ownOrigins.includes(origin)) {
      throw new HttpError(403, 'sign-in is accepted only from the codec server page itself');
    }
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const fields = req.method === 'POST' ? await readSessionFields(req, form) : {};

    if (req.method === 'DELETE' || fields.signout === '1') {
      const ended = this.sessions.get(sr.current);
      if (ended) log.subject = ended.principal.subject;
      this.sessions.revoke(sr.current);
      log.session = 'signed-out';
      const headers = { 'Set-Cookie': clearedSessionCookie(sr.cookieOptions) };
      if (form) sendHtml(res, 200, signedOutPage(sessionPath), headers);
      else sendJson(res, 200, { signedIn: false }, headers);
      return;
    }

    // A token in a field is the break-glass form's; a bearer header may hold either kind.
    const presented = fields.token !== undefined ? `Bearer ${fields.token}` : req.headers.authorization;
    let principal: Principal;
    try {
      if (presented === undefined)
        throw new HttpError(401, 'sign in at this page in a browser, or send a bearer token', CHALLENGE);
      if (fields.token !== undefined && !this.isBreakGlass(presented)) {
        throw new HttpError(401, 'wrong token', CHALLENGE);
      }
      principal = await this.principalOfHeader(presented, log);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      log.session = 'refused';
      if (form) sendHtml(res, err.status, refusedPage(sessionPath, 'Wrong token.'));
      else throw err;
      return;
    }
    const { session, cookies } = this.startSession(sr, principal);
    const headers = { 'Set-Cookie': cookies };
    if (form) sendHtml(res, 200, signedInPage(sessionPath, this.allowedOrigin, principal, session.expiresAt), headers);
    else sendJson(res, 200, { signedIn: true, expiresAt: new Date(session.expiresAt).toISOString() }, headers);
  }
}

/** An admin's principal from a verified identity; 403 without the admin role. */
function adminPrincipal(identity: Identity, via: Principal['via'], log: RequestLog): Principal {
  log.subject = identity.subject;
  if (identity.staffId) log.staffId = identity.staffId;
  if (!identity.roles.includes(ADMIN_ROLE)) {
    throw new HttpError(403, 'decoding payloads needs the admin role');
  }
  return { subject: identity.subject, ...(identity.staffId ? { staffId: identity.staffId } : {}), via };
}

/** The status and page message for a sign-in that did not complete; the reason goes to the log. */
function signInFailure(err: unknown, log: Record<string, unknown>): [number, string] {
  if (err instanceof SignInError) {
    log.reason = err.message;
    return [err.status, err.message];
  }
  if (err instanceof TokenRejectedError) {
    log.tokenRejected = err.reason;
    if (err.reason === 'issuer-unreachable') return [503, 'The identity provider cannot be reached. Try again later.'];
    return [401, 'The identity provider answered with a token this server does not accept.'];
  }
  if (err instanceof OAuthError) {
    log.reason = `token endpoint: ${err.error}`;
    return [err.error === 'http' ? 503 : 401, 'The identity provider did not complete the sign-in. Start again.'];
  }
  if (err instanceof DiscoveryError) {
    log.reason = 'identity provider unreachable';
    return [503, 'The identity provider cannot be reached. Try again later.'];
  }
  throw err;
}

/**
 * The route from the path, ignoring any prefix and the query string: `.../encode`, `.../decode`, `.../session`,
 * `.../session/callback`, `.../session/break-glass`.
 */
function routeOf(url: string | undefined): Route | undefined {
  const segments = pathOf(url).replace(/\/+$/, '').split('/');
  const last = segments.pop();
  if (last === 'encode' || last === 'decode' || last === 'session') return last;
  if ((last === 'callback' || last === 'break-glass') && segments.pop() === 'session') return last;
  return undefined;
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/**
 * The path prefix in front of `/session` (empty at the root), so a server mounted at `/codec` scopes its cookies to
 * `/codec` (and the UI server on the same host never receives them). Only safe path characters get through.
 */
function prefixOf(url: string | undefined): string {
  const prefix = pathOf(url)
    .replace(/\/+$/, '')
    .replace(/\/session(\/(callback|break-glass))?$/, '');
  return /^(\/[A-Za-z0-9._~-]+)+$/.test(prefix) ? prefix : '';
}

/** The sign-in form's fields, or a JSON body's; an empty body is fine (the token may be in the header). */
async function readSessionFields(req: IncomingMessage, form: boolean): Promise<Record<string, string>> {
  const raw = (await readBody(req, MAX_SESSION_BODY_BYTES)).toString('utf8');
  if (raw.trim() === '') return {};
  if (form) return Object.fromEntries(new URLSearchParams(raw));
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const fields: Record<string, string> = {};
  if (json && typeof json === 'object') {
    for (const key of ['token', 'signout'] as const) {
      const value = (json as Record<string, unknown>)[key];
      if (typeof value === 'string') fields[key] = value;
      else if (value === true) fields[key] = '1';
    }
  }
  return fields;
}

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const raw = await readBody(req, maxBytes);
  if (raw.length === 0) throw new HttpError(400, 'empty body: expected Payloads JSON');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    // The SyntaxError would quote part of the body, which may hold a decoded payload: keep it generic.
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function tooLarge(maxBytes: number): HttpError {
  // Connection: close, because the rest of an oversized body is discarded, not parsed.
  return new HttpError(413, `request body larger than ${maxBytes} bytes`, { Connection: 'close' });
}

/**
 * Collects the body up to maxBytes. Listeners rather than `for await`: leaving a for-await loop early destroys
 * the request, and with it the socket the 413 answer has to go out on. Past the limit the rest is discarded
 * (the server's requestTimeout bounds how long that can go on).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    // A client that hangs up mid-body may not produce 'error'; without this the request would wait forever.
    // After 'end' this is a no-op, since the promise is already settled.
    req.once('close', () => reject(new HttpError(400, 'request aborted before the body was complete')));
  });
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, ...HTML_HEADERS, 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
