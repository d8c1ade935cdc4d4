/**
 * CORS for exactly one browser origin, the Temporal UI's. Browsers call the codec server straight from the UI
 * page, so without these headers the UI cannot read the decoded payloads; with a wildcard, any page an admin
 * visits could try. Other origins get no CORS headers at all and the browser blocks them.
 */
import type { OutgoingHttpHeaders } from 'node:http';

export const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';
export const ALLOWED_METHODS = 'POST, OPTIONS';

/** Normalizes a configured origin or UI URL (`http://127.0.0.1:8233/`) to a serialized origin. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`allowed origin is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`allowed origin must be http or https: ${JSON.stringify(value)}`);
  }
  return url.origin;
}

/** Headers for an actual (non-preflight) response: only when the request comes from the allowed origin. */
export function corsHeaders(origin: string | undefined, allowedOrigin: string): OutgoingHttpHeaders {
  if (origin !== allowedOrigin) return {};
  // The UI's "include cross-origin credentials" setting makes fetch use credentials: 'include', which browsers
  // only honour with an exact origin (never "*") and Allow-Credentials: true.
  return { 'Access-Control-Allow-Origin': allowedOrigin, 'Access-Control-Allow-Credentials': 'true' };
}

/** Headers answering a preflight from the allowed origin. */
export function preflightHeaders(allowedOrigin: string): OutgoingHttpHeaders {
  return {
    'Access-Control-Allow-Origin': allowedOrigin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': '600',
  };
}
