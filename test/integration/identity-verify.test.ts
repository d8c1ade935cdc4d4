/**
 * Access-token verification against the real development identity provider (a child process): what it issues
 * verifies and maps to the right identity; every forged or misdirected token is refused with its reason, and no
 * refusal message quotes the token.
 */
import { createTokenVerifier, TokenRejectedError, type TokenVerifier } from '../../src/identity/verify';
import { forgeTokens, startIdentityProvider, type Forge, type IdentityProviderHandle } from '../support/identity';

jest.setTimeout(120_000);

let idp: IdentityProviderHandle;
let verifier: TokenVerifier;
let forge: Forge;

beforeAll(async () => {
  idp = await startIdentityProvider();
  verifier = createTokenVerifier(idp.verifierOptions());
  await verifier.ready();
  forge = forgeTokens(idp);
});

afterAll(async () => {
  await idp?.stop({ removeData: true });
});

/** The reason verify() refused `token` with; fails the test if it was accepted. */
async function refusal(token: string | undefined): Promise<string> {
  try {
    const identity = await verifier.verify(token);
    throw new Error(`accepted: ${JSON.stringify(identity)}`);
  } catch (err) {
    if (!(err instanceof TokenRejectedError)) throw err;
    if (token) expect(err.message).not.toContain(token.slice(-20));
    return err.reason;
  }
}

describe('tokens the provider issues', () => {
  it('a script client credentials token is its agency system: agency and roles from the client, no staff id', async () => {
    const identity = await verifier.verify(await idp.clientToken('judiciary-system'));
    expect(identity).toEqual({
      subject: 'judiciary-system',
      agency: 'JUDICIARY',
      roles: ['court-clerk'],
      clientId: 'judiciary-system',
      kind: 'service',
    });
  });

  it('a person token (authorization code + PKCE through the sign-in form) carries staff id, agency and roles', async () => {
    const identity = await verifier.verify(await idp.personToken('judge-9'));
    expect(identity).toEqual({
      subject: '61a82837-8da9-49ff-bc6f-557e6cde5367',
      agency: 'JUDICIARY',
      staffId: 'judge-9',
      roles: ['judge'],
      clientId: 'cases-cli',
      kind: 'person',
    });
  });

  it('an admin has the admin role and no agency', async () => {
    const identity = await verifier.verify(await idp.personToken('admin-1'));
    expect(identity).toMatchObject({ staffId: 'admin-1', roles: ['admin'], kind: 'person' });
    expect(identity.agency).toBeUndefined();
  });

  it('the forged control token (our key, every claim right) verifies, so the refusals below are about their defect', async () => {
    await expect(verifier.verify(await forge.valid())).resolves.toMatchObject({ agency: 'POLICE', staffId: 'pol-204' });
    await expect(verifier.verify(await forge.sign(forge.claims(), { alg: 'ES256' }))).resolves.toMatchObject({
      agency: 'POLICE',
    });
  });
});

describe('refusals', () => {
  it('no token', async () => {
    expect(await refusal(undefined)).toBe('missing');
    expect(await refusal('')).toBe('missing');
  });

  it('malformed tokens', async () => {
    expect(await refusal('not-a-jwt')).toBe('malformed');
    expect(await refusal('a.b.c')).toBe('malformed');
    expect(await refusal(`${'x'.repeat(20_000)}.y.z`)).toBe('malformed');
    // Validly signed by the provider's key, but the payload is not a JSON claims set.
    expect(await refusal(await forge.signBytes(new TextEncoder().encode('{"sub":')))).toBe('malformed');
    // A valid token with its payload swapped: the signature no longer matches.
    const [header, , signature] = (await forge.valid()).split('.');
    const swapped = Buffer.from(JSON.stringify(forge.claims({ roles: ['judge'], agency: 'JUDICIARY' }))).toString(
      'base64url',
    );
    expect(await refusal(`${header}.${swapped}.${signature}`)).toBe('bad-signature');
  });

  it('expired and not yet valid', async () => {
    expect(await refusal(await forge.expired())).toBe('expired');
    expect(await refusal(await forge.notYetValid())).toBe('not-yet-valid');
  });

  it('another issuer: its own key does not verify here, and with our key its name is still wrong', async () => {
    // The signature is checked before any claim is read, so another issuer's token fails on the key first.
    expect(await refusal(await forge.otherIssuer())).toBe('bad-signature');
    expect(await refusal(await forge.wrongIssuer())).toBe('wrong-issuer');
  });

  it('our issuer name, signed with a key that is not ours (same kid)', async () => {
    expect(await refusal(await forge.foreignKey())).toBe('bad-signature');
  });

  it('another audience', async () => {
    expect(await refusal(await forge.wrongAudience())).toBe('wrong-audience');
  });

  it('alg none', async () => {
    expect(await refusal(forge.algNone())).toBe('algorithm-not-allowed');
  });

  it('HS256 signed with the provider public key (key confusion)', async () => {
    expect(await refusal(await forge.hs256WithPublicKey())).toBe('algorithm-not-allowed');
  });

  it('an algorithm the configuration does not list, even with our real key', async () => {
    const rsOnly = createTokenVerifier(idp.verifierOptions({ algorithms: ['RS256'] }));
    await expect(rsOnly.verify(await forge.sign(forge.claims(), { alg: 'ES256' }))).rejects.toMatchObject({
      reason: 'algorithm-not-allowed',
    });
  });

  it('an unknown agency, a malformed staff id, a token of another type', async () => {
    expect(await refusal(await forge.unknownAgency())).toBe('claims');
    expect(await refusal(await forge.sign(forge.claims({ staff_id: 'pol 204; drop' })))).toBe('claims');
    expect(await refusal(await forge.sign(forge.claims(), { typ: 'id+jwt' }))).toBe('malformed');
  });

  it('an ID token is not an access token (its audience is the client)', async () => {
    const tokens = await idp.personTokens('pol-204');
    expect(tokens.idToken).toBeDefined();
    expect(await refusal(tokens.idToken)).toBe('wrong-audience');
  });

  it('an unreachable issuer is its own reason, with a message naming the discovery URL', async () => {
    const nowhere = createTokenVerifier(idp.verifierOptions({ issuer: 'http://127.0.0.1:1' }));
    const err = await nowhere.verify(await forge.valid()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRejectedError);
    expect(err).toMatchObject({ reason: 'issuer-unreachable' });
    expect((err as Error).message).toContain('http://127.0.0.1:1/.well-known/openid-configuration');
    await expect(nowhere.ready()).rejects.toMatchObject({ reason: 'issuer-unreachable' });
  });

  it('drops roles of another agency and roles it does not know, keeping the rest', async () => {
    const token = await forge.sign(forge.claims({ roles: ['police-officer', 'judge', 'offline_access', 42] }));
    await expect(verifier.verify(token)).resolves.toMatchObject({ roles: ['police-officer'] });
  });
});
