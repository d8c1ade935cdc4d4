/**
 * Calls to an OAuth token endpoint (and its relatives), for our own clients: the codec server's sign-in, the dev
 * login helpers. Plain fetch, responses validated; an error names the OAuth error code and the server's
 * description, never a token, a code or a secret.
 */
import { z } from 'zod';
import { basicAuth } from './pkce';

const TIMEOUT_MS = 10_000;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1),
  expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
  refresh_token: z.string().optional(),
});

const errorResponse = z.object({ error: z.string().max(200), error_description: z.string().max(500).optional() });

export interface TokenSet {
  accessToken: string;
  tokenType: string;
  /** Seconds, as the server said (undefined when it did not). */
  expiresIn?: number;
  scope?: string;
  idToken?: string;
  refreshToken?: string;
}

/** An OAuth error answer (`invalid_grant`, `authorization_pending`...), or a transport failure (`error` = http). */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly error: string,
    readonly description?: string,
    readonly status?: number,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

export interface ClientAuth {
  clientId: string;
  /** Confidential clients; public clients (the CLI) send only their id. */
  clientSecret?: string;
}

/** POSTs a form to an OAuth endpoint with client authentication and returns the JSON answer. */
export async function postForm(url: string, params: Record<string, string>, client: ClientAuth): Promise<unknown> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  const body = new URLSearchParams(params);
  if (client.clientSecret !== undefined) headers.Authorization = basicAuth(client.clientId, client.clientSecret);
  else body.set('client_id', client.clientId);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new OAuthError('http', `POST ${url} failed (${err instanceof Error ? err.message : 'error'})`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new OAuthError('http', `POST ${url} answered ${res.status} without JSON`, res.status);
  }
  if (!res.ok) {
    const parsed = errorResponse.safeParse(json);
    if (parsed.success) throw new OAuthError(parsed.data.error, parsed.data.error_description, res.status);
    throw new OAuthError('http', `POST ${url} answered ${res.status}`, res.status);
  }
  return json;
}

export async function requestToken(
  tokenEndpoint: string,
  params: Record<string, string>,
  client: ClientAuth,
): Promise<TokenSet> {
  const parsed = tokenResponse.safeParse(await postForm(tokenEndpoint, params, client));
  if (!parsed.success) throw new OAuthError('invalid_response', 'the token endpoint answer has no usable token');
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    tokenType: t.token_type,
    ...(t.expires_in !== undefined ? { expiresIn: t.expires_in } : {}),
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    ...(t.id_token !== undefined ? { idToken: t.id_token } : {}),
    ...(t.refresh_token !== undefined ? { refreshToken: t.refresh_token } : {}),
  };
}
