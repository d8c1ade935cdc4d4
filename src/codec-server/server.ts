/**
 * Codec server: lets the Temporal Web UI (and `temporal workflow show --codec-endpoint`) decrypt payloads for
 * admins, following Temporal's remote codec protocol: POST .../encode and POST .../decode, JSON Payloads in and
 * out. Only the last path segment selects the operation, so the server can sit behind any path prefix (for example
 * one per namespace).
 *
 * Two ways in:
 * - `Authorization: Bearer <token>` (the CLI, scripts);
 * - a session cookie, for the Web UI, which cannot send a static token (session.ts). An admin signs in at
 *   `.../session` (GET shows a form; POST takes the token as form field, JSON `{"token"}` or bearer header; DELETE,
 *   or POST with `signout=1`, signs out). A cookie-authenticated encode/decode is accepted only when the request
 *   comes from the allowed UI origin: cookies are not port-specific, so other local pages would carry it too.
 *
 * Everything that passes the checks can read victims' data in the clear, hence: constant-time token comparison,
 * CORS for the UI origin only, a body size limit, `Cache-Control: no-store` on every answer, and logs that record
 * who asked for how many payloads but never a payload, a token or a cookie.
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
import { CodecError } from '../temporal/codec';
import { bearerTokenChecker } from './auth';
import { corsHeaders, normalizeOrigin, preflightHeaders } from './cors';
import { HTML_HEADERS, loginPage, refusedPage, signedInPage, signedOutPage } from './login-page';
import { describeIssues, payloadsBodySchema, payloadsFromJson, payloadsToJson } from './protocol';
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie, SessionStore } from './session';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Shorter than the config's 16-character rule would be a configuration bug, not a choice. */
const MIN_TOKEN_LENGTH = 16;
/** A sign-in body is one short field. */
const MAX_SESSION_BODY_BYTES = 4 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token clients must present (CODEC_SERVER_TOKEN). */
  token: string;
  /** The Temporal UI origin allowed by CORS, e.g. http://127.0.0.1:8233 (a full URL is reduced to its origin). */
  allowedOrigin: string;
  logger: Logger;
  /** Request bodies above this size get 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Browser sessions (sign-in at .../session): lifetime and cap; default 8 hours, 100 sessions. */
  sessions?: SessionStore;
  /** Mark the session cookie Secure. Set it when browsers reach this server over https (e.g. behind a proxy). */
  secureCookie?: boolean;
}

type Operation = 'encode' | 'decode' | 'session';

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

/** Creates (does not start) the server; call `listen` on it. Port 0 is fine for tests. */
export function createCodecServer(options: CodecServerOptions): Server {
  if (options.token.length < MIN_TOKEN_LENGTH) {
    throw new TypeError(`codec server token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const allowedOrigin = normalizeOrigin(options.allowedOrigin);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const isAuthorized = bearerTokenChecker(options.token);
  const logger = options.logger.child({ component: 'codec-server' });
  const sessions = options.sessions ?? new SessionStore();
  const secureCookie = options.secureCookie ?? false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const origin = req.headers.origin;
    const log: Record<string, unknown> = { method: req.method, remote: req.socket.remoteAddress };
    const namespace = req.headers['x-namespace'];
    if (typeof namespace === 'string') log.namespace = namespace.slice(0, 200);
    res.on('finish', () => {
      const entry = { ...log, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      if (res.statusCode === 401 || res.statusCode === 403) logger.warn(entry, 'codec request refused');
      else logger.info(entry, 'codec request');
    });

    // The response varies by Origin whatever the outcome; decoded data must never sit in any cache.
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');

    try {
      const operation = operationOf(req.url);
      log.operation = operation ?? 'unknown';

      if (req.method === 'OPTIONS') {
        // Preflights carry no Authorization header (browsers never send credentials on them), so they are
        // answered before the token check; they reveal nothing but the CORS policy.
        if (origin !== undefined && origin !== allowedOrigin) throw new HttpError(403, 'origin not allowed');
        res.writeHead(204, {
          Allow: 'POST, OPTIONS',
          ...(origin === undefined ? {} : preflightHeaders(allowedOrigin)),
        });
        res.end();
        return;
      }

      // From here on, allowed-origin responses (errors included) carry CORS headers so the UI can show them.
      for (const [name, value] of Object.entries(corsHeaders(origin, allowedOrigin))) {
        if (value !== undefined) res.setHeader(name, value);
      }

      if (operation === 'session') {
        await handleSession(req, res, log);
        return;
      }

      if (isAuthorized(req.headers.authorization)) {
        log.auth = 'bearer';
      } else if (sessions.isValid(cookieValue(req.headers.cookie, SESSION_COOKIE))) {
        // The UI's fetch always sends Origin; a request from anywhere else gains nothing from the cookie.
        if (origin !== allowedOrigin) {
          throw new HttpError(401, 'session cookie accepted only from the Temporal UI origin', {
            'WWW-Authenticate': 'Bearer realm="codec"',
          });
        }
        log.auth = 'session';
      } else {
        throw new HttpError(401, 'missing or wrong bearer token (or no valid session)', {
          'WWW-Authenticate': 'Bearer realm="codec"',
        });
      }
      if (!operation) throw new HttpError(404, 'not found: POST .../encode or .../decode');
      if (req.method !== 'POST') throw new HttpError(405, 'method not allowed: use POST', { Allow: 'POST, OPTIONS' });

      const body = await readJsonBody(req, maxBodyBytes);
      const parsed = payloadsBodySchema.safeParse(body);
      if (!parsed.success) throw new HttpError(400, `invalid Payloads JSON: ${describeIssues(parsed.error)}`);
      const payloads = payloadsFromJson(parsed.data);
      log.payloads = payloads.length;

      let result: Payload[];
      try {
        result = operation === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
      } catch (err) {
        // Codec errors name a key id or the failed check, never data: safe to hand back (the protocol says 400).
        if (err instanceof CodecError) throw new HttpError(400, err.message);
        throw err;
      }
      sendJson(res, 200, payloadsToJson(result));
    } catch (err) {
      if (err instanceof HttpError) {
        log.reason = err.message;
        sendJson(res, err.status, { error: err.message }, err.headers);
        return;
      }
      throw err;
    }
  };

  /**
   * `.../session`: GET the sign-in page, POST to sign in (or out), DELETE to sign out. Sign-in posts are accepted
   * without an Origin header (curl) or from this server's own page; any other page posting here is refused, so
   * no site can sign a browser in or out behind the admin's back.
   */
  const handleSession = async (req: IncomingMessage, res: ServerResponse, log: Record<string, unknown>) => {
    const cookieOptions = { path: cookiePath(req.url), secure: secureCookie };
    const current = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (req.method === 'GET') {
      sendHtml(res, 200, loginPage(allowedOrigin, sessions.expiresAt(current)));
      return;
    }
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      throw new HttpError(405, 'method not allowed: GET, POST or DELETE', { Allow: 'GET, POST, DELETE' });
    }
    const origin = req.headers.origin;
    // This server's own page, whichever scheme the browser saw (a TLS-terminating proxy keeps the Host).
    const ownOrigins = ['http', 'https'].map((scheme) => `${scheme}://${req.headers.host ?? ''}`);
    if (origin !== undefined && !ownOrigins.includes(origin)) {
      throw new HttpError(403, 'sign-in is accepted only from the codec server page itself');
    }
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const fields = req.method === 'POST' ? await readSessionFields(req, form) : {};

    if (req.method === 'DELETE' || fields.signout === '1') {
      sessions.revoke(current);
      log.session = 'signed-out';
      const headers = { 'Set-Cookie': clearedSessionCookie(cookieOptions) };
      if (form) sendHtml(res, 200, signedOutPage(), headers);
      else sendJson(res, 200, { signedIn: false }, headers);
      return;
    }

    const presented = fields.token !== undefined ? `Bearer ${fields.token}` : req.headers.authorization;
    if (!isAuthorized(presented)) {
      log.session = 'refused';
      if (form) sendHtml(res, 401, refusedPage());
      else throw new HttpError(401, 'wrong token', { 'WWW-Authenticate': 'Bearer realm="codec"' });
      return;
    }
    // A new id on every sign-in (no fixation); the previous one of this browser stops working.
    sessions.revoke(current);
    const session = sessions.create();
    log.session = 'signed-in';
    const headers = { 'Set-Cookie': sessionCookie(session.id, sessions.ttlMs, cookieOptions) };
    if (form) sendHtml(res, 200, signedInPage(allowedOrigin, session.expiresAt), headers);
    else sendJson(res, 200, { signedIn: true, expiresAt: new Date(session.expiresAt).toISOString() }, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Unexpected: log the error class and message only (a message could in theory quote input).
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      logger.error({ err: { type: err instanceof Error ? err.name : typeof err, code } }, 'codec request failed');
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // Bound slow clients: nobody needs 5 minutes (Node's default) to send 4 MiB on the way to a browser tab.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** `encode` / `decode` / `session` from the last path segment, ignoring any prefix and the query string. */
function operationOf(url: string | undefined): Operation | undefined {
  const last = pathOf(url).replace(/\/+$/, '').split('/').pop();
  return last === 'encode' || last === 'decode' || last === 'session' ? last : undefined;
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/**
 * The cookie's Path: the prefix in front of `/session`, so a server mounted at `/codec` scopes its cookie to
 * `/codec` (and the UI server on the same host never receives it). Only safe path characters get through.
 */
function cookiePath(url: string | undefined): string {
  const prefix = pathOf(url)
    .replace(/\/+$/, '')
    .replace(/\/session$/, '');
  return /^(\/[A-Za-z0-9._~-]+)+$/.test(prefix) ? prefix : '/';
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
