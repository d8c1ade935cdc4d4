/**
 * The development identity provider as a real process: discovery, the flows each kind of client uses (client
 * credentials, authorization code + PKCE through our own sign-in page, the device flow approved through the
 * provider's pages), token lifetimes and claims, and its generated state (secrets file mode 600, signing keys that
 * survive a restart, nothing secret in the log).
 */
import { readFileSync, statSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  approveDeviceByPassword,
  deviceFlow,
  DevLoginError,
  OAuthError,
  personTokenByPassword,
} from '../../src/identity/dev-login';
import { clearDiscoveryCache } from '../../src/identity/discovery';
import { jwksFile, secretsFile } from '../../src/identity/secret-files';
import { createTokenVerifier } from '../../src/identity/verify';
import { CLI_REDIRECT, startIdentityProvider, TEST_AUDIENCE, type IdentityProviderHandle } from '../support/identity';

jest.setTimeout(120_000);

const GATEWAY_URL = 'http://127.0.0.1:18700';
const CODEC_SERVER_URL = 'http://127.0.0.1:18888';

let idp: IdentityProviderHandle;
const issued: string[] = [];

beforeAll(async () => {
  idp = await startIdentityProvider({ env: { GATEWAY_URL, CODEC_SERVER_URL } });
});

afterAll(async () => {
  await idp?.stop({ removeData: true });
});

const verifier = () => createTokenVerifier(idp.verifierOptions());

describe('discovery', () => {
  it('publishes the code flow only, S256 PKCE, client credentials, the device flow, revocation and logout', async () => {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]),
    );
    expect(doc.grant_types_supported).not.toContain('implicit');
    expect(doc.device_authorization_endpoint).toBe(`${idp.issuer}/device/auth`);
    expect(doc.revocation_endpoint).toBeDefined();
    expect(doc.end_session_endpoint).toBeDefined();
    expect(doc.userinfo_endpoint).toBeUndefined();
    const jwks = (await (await fetch(String(doc.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    // Public halves only.
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
  });
});

describe('client credentials (agency scripts)', () => {
  it('issues a 15-minute RS256 at+jwt for our audience with the client agency and roles', async () => {
    const token = await idp.clientToken('police-system');
    issued.push(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: TEST_AUDIENCE,
      sub: 'police-system',
      client_id: 'police-system',
      agency: 'POLICE',
      roles: ['police-officer'],
      scope: 'cases',
    });
    expect(claims.staff_id).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(900);
  });

  it('refuses a wrong client secret and the public CLI client', async () => {
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('police-system:not-the-secret-0123456789').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    const cli = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=cases-cli',
    });
    expect(cli.status).toBe(400);
    expect(await cli.json()).toEqual({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
  });
});

describe('people: authorization code + PKCE', () => {
  it('the web client gets an access token, an ID token with profile claims and an 8-hour refresh token', async () => {
    const tokens = await idp.personTokens('social-12', {
      clientId: 'gateway-web',
      redirectUri: `${GATEWAY_URL}/auth/callback`,
    });
    issued.push(tokens.accessToken, tokens.idToken ?? '', tokens.refreshToken ?? '');
    const access = decodeJwt(tokens.accessToken);
    expect(access).toMatchObject({
      aud: TEST_AUDIENCE,
      client_id: 'gateway-web',
      agency: 'CHILD_PROTECTION',
      staff_id: 'social-12',
      roles: ['social-worker'],
    });
    expect(access.exp! - access.iat!).toBe(900);
    expect(decodeJwt(tokens.idToken!)).toMatchObject({
      aud: 'gateway-web',
      preferred_username: 'social-12',
      locale: 'es',
      email: 'social-12@example.org',
    });
    expect(tokens.refreshToken).toBeDefined();
    // The refresh token works at the token endpoint and yields a new access token for our API.
    const refreshed = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`gateway-web:${idp.secrets.clients['gateway-web']}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken! }),
    });
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { access_token: string; refresh_token?: string };
    await expect(verifier().verify(body.access_token)).resolves.toMatchObject({ staffId: 'social-12' });
  });

  it('the codec server client redirects to CODEC_SERVER_URL/session/callback, and nowhere else', async () => {
    const token = await idp.personToken('admin-1', {
      clientId: 'codec-server',
      redirectUri: `${CODEC_SERVER_URL}/session/callback`,
    });
    await expect(verifier().verify(token)).resolves.toMatchObject({ roles: ['admin'], clientId: 'codec-server' });
    await expect(
      idp.personToken('admin-1', { clientId: 'codec-server', redirectUri: 'http://127.0.0.1:9/session/callback' }),
    ).rejects.toThrow(/redirect_uri/);
  });

  it('the CLI client takes any loopback port', async () => {
    const token = await idp.personToken('fiscal-coord-02', { redirectUri: 'http://127.0.0.1:61234/callback' });
    await expect(verifier().verify(token)).resolves.toMatchObject({ roles: ['coordinating-prosecutor'] });
  });

  it('refuses a wrong password without saying which part was wrong, and never logs it', async () => {
    const attempt = personTokenByPassword({
      issuer: idp.issuer,
      clientId: 'cases-cli',
      redirectUri: CLI_REDIRECT,
      account: 'pol-311',
      password: 'wrong-password-123456',
      audience: TEST_AUDIENCE,
    });
    await expect(attempt).rejects.toThrow(DevLoginError);
    await expect(attempt).rejects.toThrow('sign-in refused for account pol-311');
    expect(idp.log()).toContain('"msg":"sign-in refused"');
    expect(idp.log()).not.toContain('wrong-password-123456');
  });

  it('requires PKCE of every client, confidential ones included', async () => {
    for (const [clientId, redirect] of [
      ['cases-cli', CLI_REDIRECT],
      ['gateway-web', `${GATEWAY_URL}/auth/callback`],
    ]) {
      const url = new URL(`${idp.issuer}/auth`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId!,
        redirect_uri: redirect!,
        scope: 'openid',
        state: 'abc',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location') ?? '', idp.issuer);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/requires PKCE/);
    }
  });

  it('serves its own accessible, script-free sign-in page marked as development only', async () => {
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'cases-cli',
      redirect_uri: CLI_REDIRECT,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const start = await fetch(url, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const cookies = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const page = await fetch(new URL(start.headers.get('location')!, idp.issuer), { headers: { Cookie: cookies } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('Development identity provider');
    expect(html).not.toMatch(/<script|onfocus=|onclick=/i);
    for (const account of [
      'fiscal-017',
      'fiscal-coord-02',
      'pol-204',
      'pol-311',
      'judge-9',
      'clerk-4',
      'social-12',
      'oversight-3',
      'partner-1',
      'admin-1',
    ]) {
      expect(html).toContain(`<label for="account-${account}">`);
      expect(html).toContain(`id="account-${account}"`);
    }
    expect(html).toContain('<label for="password">');
    expect(html).not.toContain(idp.secrets.devPassword);
  });
});

describe('device flow (the cases CLI)', () => {
  it('starts, stays pending, is approved through the provider pages, and yields the person token once', async () => {
    const device = await deviceFlow({ issuer: idp.issuer, clientId: 'cases-cli', audience: TEST_AUDIENCE });
    expect(device.verificationUri).toBe(`${idp.issuer}/device`);
    expect(device.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    await expect(device.poll({ timeoutMs: 1 })).rejects.toMatchObject({ error: 'expired_token' });

    const polling = device.poll({ timeoutMs: 60_000 });
    await approveDeviceByPassword({
      verificationUri: device.verificationUri,
      userCode: device.userCode,
      account: 'oversight-3',
      password: idp.secrets.devPassword,
    });
    const tokens = await polling;
    issued.push(tokens.accessToken);
    await expect(verifier().verify(tokens.accessToken)).resolves.toEqual({
      subject: '5d015f74-a96e-43fa-9388-8c3326c7215f',
      agency: 'OVERSIGHT',
      staffId: 'oversight-3',
      roles: ['oversight-investigator'],
      clientId: 'cases-cli',
      kind: 'person',
    });
    expect(tokens.refreshToken).toBeDefined();
    // A used code cannot be approved again.
    await expect(
      approveDeviceByPassword({
        verificationUri: device.verificationUri,
        userCode: device.userCode,
        account: 'pol-204',
        password: idp.secrets.devPassword,
      }),
    ).rejects.toThrow(/not accepted/);
  });

  it('refuses an unknown user code', async () => {
    await expect(
      approveDeviceByPassword({
        verificationUri: `${idp.issuer}/device`,
        userCode: 'BCDF-GHJK',
        account: 'pol-204',
        password: idp.secrets.devPassword,
      }),
    ).rejects.toThrow(/not accepted/);
  });

  it('an aborted approval is access_denied for the polling device', async () => {
    const device = await deviceFlow({ issuer: idp.issuer, clientId: 'cases-cli', audience: TEST_AUDIENCE });
    const polling = device.poll({ timeoutMs: 60_000 });
    // Enter the code and press Abort on the confirmation page, as a person who does not recognize it would.
    const input = await fetch(device.verificationUri);
    const cookie = input.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await input.text())?.[1] ?? '';
    const form = (fields: Record<string, string>) =>
      fetch(device.verificationUri, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams(fields),
        redirect: 'manual',
      });
    expect((await form({ xsrf, user_code: device.userCode })).status).toBe(200);
    await form({ xsrf, user_code: device.userCode, abort: 'yes' });
    await expect(polling).rejects.toMatchObject({ error: 'access_denied' });
    await expect(polling).rejects.toBeInstanceOf(OAuthError);
  });
});

describe('generated state', () => {
  it('keeps secrets in a mode 600 file under a mode 700 directory; the seed has none', () => {
    expect(statSync(secretsFile(idp.dataDir)).mode & 0o777).toBe(0o600);
    expect(statSync(jwksFile(idp.dataDir)).mode & 0o777).toBe(0o600);
    expect(statSync(`${idp.dataDir}/identity`).mode & 0o777).toBe(0o700);
    const secrets = JSON.parse(readFileSync(secretsFile(idp.dataDir), 'utf8')) as {
      clients: Record<string, string>;
    };
    expect(Object.keys(secrets.clients).sort()).toEqual(
      [
        'child-protection-system',
        'codec-server',
        'gateway-web',
        'judiciary-system',
        'oversight-system',
        'partner-system',
        'police-system',
        'prosecution-system',
      ].sort(),
    );
    const seed = readFileSync('deploy/identity/dev-seed.json', 'utf8');
    for (const value of [...Object.values(secrets.clients), idp.secrets.devPassword]) expect(seed).not.toContain(value);
  });

  it('never logs a secret, a password or a token', () => {
    const log = idp.log();
    expect(log).toContain('identity provider ready');
    for (const value of [...Object.values(idp.secrets.clients), idp.secrets.devPassword, ...issued.filter(Boolean)]) {
      expect(log).not.toContain(value);
    }
  });

  it('keeps signing keys and secrets across a restart: tokens issued before still verify after', async () => {
    const before = await idp.personToken('clerk-4');
    const jwksBefore = readFileSync(jwksFile(idp.dataDir), 'utf8');
    const secretsBefore = readFileSync(secretsFile(idp.dataDir), 'utf8');
    const pidBefore = idp.pid;
    await idp.restart();
    expect(idp.pid).not.toBe(pidBefore);
    expect(readFileSync(jwksFile(idp.dataDir), 'utf8')).toBe(jwksBefore);
    expect(readFileSync(secretsFile(idp.dataDir), 'utf8')).toBe(secretsBefore);
    clearDiscoveryCache();
    const fresh = createTokenVerifier(idp.verifierOptions());
    await expect(fresh.verify(before)).resolves.toMatchObject({ staffId: 'clerk-4', roles: ['court-clerk'] });
    // And the restarted provider still signs people in with the same dev password.
    await expect(fresh.verify(await idp.personToken('clerk-4'))).resolves.toMatchObject({ agency: 'JUDICIARY' });
  });
});
