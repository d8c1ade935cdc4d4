/**
 * OpenID Connect discovery: the one document that tells us where the issuer's keys and endpoints are. Fetched once
 * per issuer and cached (a failed fetch is not cached, so the next call tries again). The document must name the
 * issuer we asked for, exactly: a document for another issuer would point us at keys we must not trust.
 */
import { z } from 'zod';

const DISCOVERY_TIMEOUT_MS = 5_000;
const MAX_DOCUMENT_BYTES = 256 * 1024;

const endpoint = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const discoverySchema = z.object({
  issuer: z.string().url(),
  jwks_uri: endpoint,
  authorization_endpoint: endpoint.optional(),
  token_endpoint: endpoint.optional(),
  device_authorization_endpoint: endpoint.optional(),
  end_session_endpoint: endpoint.optional(),
  revocation_endpoint: endpoint.optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type Discovery = z.output<typeof discoverySchema>;

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/** Normalizes and checks an issuer URL: http(s), no query, no fragment; no trailing slash. */
export function normalizeIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError('OIDC issuer is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('OIDC issuer must be http or https');
  if (url.search || url.hash) throw new TypeError('OIDC issuer must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** `<issuer>/.well-known/openid-configuration`, as OpenID Connect Discovery 1.0 section 4 builds it. */
export function discoveryUrl(issuer: string): string {
  return `${normalizeIssuer(issuer)}/.well-known/openid-configuration`;
}

const cache = new Map<string, Promise<Discovery>>();

/** The issuer's discovery document, fetched on first use. Throws DiscoveryError naming the URL and the cause. */
export function discover(issuer: string): Promise<Discovery> {
  const key = normalizeIssuer(issuer);
  let pending = cache.get(key);
  if (!pending) {
    pending = fetchDiscovery(key);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

async function fetchDiscovery(issuer: string): Promise<Discovery> {
  const url = discoveryUrl(issuer);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new DiscoveryError(`identity provider unreachable: GET ${url} failed (${cause})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new DiscoveryError(`identity provider discovery failed: GET ${url} answered ${res.status}`);
  }
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new DiscoveryError(`discovery document at ${url} is too large`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DiscoveryError(`discovery document at ${url} is not JSON`);
  }
  const parsed = discoverySchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new DiscoveryError(`discovery document at ${url} is invalid (${fields})`);
  }
  if (normalizeIssuer(parsed.data.issuer) !== issuer) {
    throw new DiscoveryError(`discovery document at ${url} names another issuer`);
  }
  return parsed.data;
}

/** Forgets cached documents (tests that restart a provider on the same address with new settings). */
export function clearDiscoveryCache(): void {
  cache.clear();
}
