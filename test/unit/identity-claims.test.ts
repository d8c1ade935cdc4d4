/**
 * From verified claims to an Identity (claims.ts), the bearer header parser and the verifier's configuration
 * checks. Token verification itself runs against the real provider in test/integration/identity-verify.test.ts.
 */
import { loadConfig } from '../../src/config';
import { actorFromIdentity, claimAt, identityFromClaims, type ClaimMapping } from '../../src/identity/claims';
import { bearerToken, createTokenVerifier, TokenRejectedError, tokenVerifierOptions } from '../../src/identity/verify';

const KEYCLOAK: ClaimMapping = { agency: 'agency', staffId: 'staff_id', roles: 'realm_access.roles' };

function refusal(fn: () => unknown): TokenRejectedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TokenRejectedError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('claimAt', () => {
  it('follows dot paths into objects, not into lists, and prefers a claim literally named with a dot', () => {
    const claims = { realm_access: { roles: ['judge'] }, 'a.b': 1, a: { b: 2 }, list: [{ x: 1 }] };
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['judge']);
    expect(claimAt(claims, 'a.b')).toBe(1);
    expect(claimAt(claims, 'list.0.x')).toBeUndefined();
    expect(claimAt(claims, 'realm_access.missing')).toBeUndefined();
    expect(claimAt(claims, '__proto__.toString')).toBeUndefined();
  });
});

describe('identityFromClaims', () => {
  it('maps a Keycloak person token: realm roles filtered to ours, azp as the client', () => {
    const identity = identityFromClaims(
      {
        sub: 'f1d2',
        azp: 'gateway-web',
        agency: 'JUDICIARY',
        staff_id: 'clerk-4',
        realm_access: {
          roles: ['offline_access', 'uma_authorization', 'default-roles-case-orchestrator', 'court-clerk'],
        },
      },
      KEYCLOAK,
    );
    expect(identity).toEqual({
      subject: 'f1d2',
      agency: 'JUDICIARY',
      staffId: 'clerk-4',
      roles: ['court-clerk'],
      clientId: 'gateway-web',
      kind: 'person',
    });
  });

  it('a court clerk is not a judge: roles of another agency are dropped, admin is kept', () => {
    const identity = identityFromClaims({ sub: 's', agency: 'POLICE', roles: ['police-officer', 'judge', 'admin'] });
    expect(identity.roles).toEqual(['police-officer', 'admin']);
    // No agency: agency roles mean nothing, admin does.
    expect(identityFromClaims({ sub: 's', staff_id: 'admin-1', roles: ['judge', 'admin'] }).roles).toEqual(['admin']);
  });

  it('a token without a staff id is a service (an agency system), with client_id as the client', () => {
    expect(
      identityFromClaims({
        sub: 'police-system',
        client_id: 'police-system',
        agency: 'POLICE',
        roles: 'police-officer',
      }),
    ).toEqual({
      subject: 'police-system',
      agency: 'POLICE',
      roles: ['police-officer'],
      clientId: 'police-system',
      kind: 'service',
    });
  });

  it('takes a one-element agency list (a multivalued directory attribute), refuses two', () => {
    expect(identityFromClaims({ sub: 's', agency: ['OVERSIGHT'] }).agency).toBe('OVERSIGHT');
    expect(refusal(() => identityFromClaims({ sub: 's', agency: ['OVERSIGHT', 'POLICE'] })).reason).toBe('claims');
  });

  it('refuses an unknown agency without quoting it', () => {
    const err = refusal(() => identityFromClaims({ sub: 's', agency: 'MUNICIPALITY<script>' }));
    expect(err.reason).toBe('claims');
    expect(err.message).not.toContain('MUNICIPALITY');
  });

  it('refuses a missing or oversized subject, a bad staff id and a roles claim that is not a list', () => {
    expect(refusal(() => identityFromClaims({})).reason).toBe('claims');
    expect(refusal(() => identityFromClaims({ sub: 'x'.repeat(256) })).reason).toBe('claims');
    expect(refusal(() => identityFromClaims({ sub: 's', staff_id: 'pol 204' })).message).not.toContain('pol 204');
    expect(refusal(() => identityFromClaims({ sub: 's', staff_id: 42 })).reason).toBe('claims');
    expect(refusal(() => identityFromClaims({ sub: 's', roles: { admin: true } })).reason).toBe('claims');
  });
});

describe('actorFromIdentity', () => {
  it('is the command actor for agency members and nothing for an admin without agency', () => {
    expect(
      actorFromIdentity({
        subject: 's',
        agency: 'POLICE',
        staffId: 'pol-204',
        roles: ['police-officer'],
        kind: 'person',
      }),
    ).toEqual({ agency: 'POLICE', staffId: 'pol-204', roles: ['police-officer'], subject: 's' });
    expect(actorFromIdentity({ subject: 's', staffId: 'admin-1', roles: ['admin'], kind: 'person' })).toBeUndefined();
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, case-insensitively, and nothing else', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc.def-_~+/=')).toBe('abc.def-_~+/=');
    for (const header of [
      undefined,
      '',
      'Basic abc',
      'Bearer',
      'Bearer a b',
      'Bearer a,b',
      `Bearer ${'a'.repeat(20_000)}`,
    ]) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });
});

describe('createTokenVerifier', () => {
  const options = {
    issuer: 'http://127.0.0.1:1',
    audience: 'case-orchestrator',
    algorithms: ['RS256'],
    clockToleranceSec: 30,
    claims: KEYCLOAK,
  };

  it('can never be configured with a symmetric algorithm or none', () => {
    for (const algorithms of [['HS256'], ['RS256', 'none'], []]) {
      expect(() => createTokenVerifier({ ...options, algorithms })).toThrow(/asymmetric/);
    }
    expect(() => createTokenVerifier({ ...options, audience: '' })).toThrow(/audience/);
    expect(() => createTokenVerifier({ ...options, issuer: 'ftp://x' })).toThrow(/http or https/);
  });

  it('refuses a missing or malformed token before any network call', async () => {
    const verifier = createTokenVerifier(options);
    await expect(verifier.verify(undefined)).rejects.toMatchObject({ reason: 'missing' });
    await expect(verifier.verify('not a token')).rejects.toMatchObject({ reason: 'malformed' });
    await expect(verifier.verify('a.b')).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('takes its settings from configuration (OIDC_* variables)', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://id.example.org/realms/case-orchestrator',
      OIDC_CLAIM_ROLES: 'realm_access.roles',
      OIDC_CLOCK_TOLERANCE: '1m',
    });
    expect(tokenVerifierOptions(config)).toEqual({
      issuer: 'https://id.example.org/realms/case-orchestrator',
      audience: 'case-orchestrator',
      algorithms: ['RS256', 'PS256', 'ES256'],
      clockToleranceSec: 60,
      claims: { agency: 'agency', staffId: 'staff_id', roles: 'realm_access.roles' },
    });
    expect(() => tokenVerifierOptions(loadConfig({}))).toThrow(/OIDC_ISSUER/);
  });
});
