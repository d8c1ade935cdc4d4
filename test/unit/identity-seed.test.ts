/**
 * The committed identity configuration: the dev provider's seed (deploy/identity/dev-seed.json) and the Keycloak
 * realm for production (deploy/keycloak/realm-export.json). Both hold no secret, both know every agency and role of
 * src/domain/agencies.ts, and both register the same clients with the same grants, so the gateway sees the same
 * tokens from either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENCIES, AGENCY_ROLES, ROLES } from '../../src/domain/agencies';
import { confidentialClientIds, loadSeed, parseSeed, resolveUri, SeedError } from '../../src/identity/seed';

const ROOT = join(__dirname, '..', '..');
const SEED_FILE = join(ROOT, 'deploy', 'identity', 'dev-seed.json');
const seed = loadSeed(SEED_FILE);
const seedJson = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as Record<string, unknown>;

interface KeycloakClient {
  clientId: string;
  publicClient?: boolean;
  standardFlowEnabled?: boolean;
  serviceAccountsEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  implicitFlowEnabled?: boolean;
  redirectUris?: string[];
  secret?: string;
  attributes?: Record<string, string>;
  defaultClientScopes?: string[];
}
interface KeycloakRealm {
  realm: string;
  accessTokenLifespan: number;
  ssoSessionMaxLifespan: number;
  roles: { realm: { name: string }[] };
  groups: { name: string; attributes: Record<string, string[]> }[];
  clientScopes: { name: string; protocolMappers: { protocolMapper: string; config: Record<string, string> }[] }[];
  clients: KeycloakClient[];
  users: {
    username: string;
    serviceAccountClientId?: string;
    groups: string[];
    realmRoles: string[];
    credentials?: unknown;
  }[];
}
const realmText = readFileSync(join(ROOT, 'deploy', 'keycloak', 'realm-export.json'), 'utf8');
const realm = JSON.parse(realmText) as KeycloakRealm;

describe('the dev seed', () => {
  it('has a dev account for every role the brief names, with staff id, agency, language and example.org mail', () => {
    const byName = Object.fromEntries(seed.accounts.map((a) => [a.username, a]));
    const expected: [string, string | undefined, string][] = [
      ['fiscal-017', 'PROSECUTION', 'prosecutor'],
      ['fiscal-coord-02', 'PROSECUTION', 'coordinating-prosecutor'],
      ['pol-204', 'POLICE', 'police-officer'],
      ['pol-311', 'POLICE', 'police-officer'],
      ['judge-9', 'JUDICIARY', 'judge'],
      ['clerk-4', 'JUDICIARY', 'court-clerk'],
      ['social-12', 'CHILD_PROTECTION', 'social-worker'],
      ['oversight-3', 'OVERSIGHT', 'oversight-investigator'],
      ['partner-1', 'PARTNER', 'partner-analyst'],
      ['admin-1', undefined, 'admin'],
    ];
    for (const [username, agency, role] of expected) {
      expect(byName[username]).toMatchObject({ staffId: username, roles: [role], email: `${username}@example.org` });
      expect(byName[username]?.agency).toBe(agency);
      expect(['es', 'en']).toContain(byName[username]?.locale);
    }
    // Every role of the domain has somebody to sign in as.
    expect(new Set(seed.accounts.flatMap((a) => a.roles))).toEqual(new Set(ROLES));
  });

  it('has a script client per agency (a script is never a judge), the public CLI and the two web clients', () => {
    const scripts = seed.clients.filter((c) => c.type === 'script');
    expect(scripts.map((c) => (c.type === 'script' ? c.agency : '')).sort()).toEqual([...AGENCIES].sort());
    expect(scripts.find((c) => c.clientId === 'judiciary-system')).toMatchObject({ roles: ['court-clerk'] });
    expect(seed.clients.find((c) => c.clientId === 'cases-cli')).toMatchObject({ type: 'cli' });
    expect(confidentialClientIds(seed)).toEqual(expect.arrayContaining(['gateway-web', 'codec-server']));
    expect(confidentialClientIds(seed)).not.toContain('cases-cli');
  });

  it('holds no secret: no such field, and the strict schema refuses one', () => {
    // Field names only: the $comment may talk about secrets.
    const fieldNames = JSON.stringify(seedJson, (k, v: unknown) => (k === '$comment' ? undefined : v)).match(
      /"[^"]+":/g,
    );
    expect(fieldNames?.join(' ')).not.toMatch(/secret|password|key/i);
    const withPassword = structuredClone(seedJson) as { accounts: Record<string, unknown>[] };
    withPassword.accounts[0]!.password = 'hunter2-hunter2';
    expect(() => parseSeed(withPassword)).toThrow(SeedError);
    const withSecret = structuredClone(seedJson) as { clients: Record<string, unknown>[] };
    withSecret.clients[0]!.secret = 'x'.repeat(40);
    expect(() => parseSeed(withSecret)).toThrow(/secret/);
  });

  it('refuses a role that is not of the account agency, and duplicate usernames', () => {
    const judgeInPolice = structuredClone(seedJson) as { accounts: Record<string, unknown>[] };
    judgeInPolice.accounts[2]!.roles = ['judge'];
    expect(() => parseSeed(judgeInPolice)).toThrow(/role judge does not belong to POLICE/);
    const twice = structuredClone(seedJson) as { accounts: Record<string, unknown>[] };
    twice.accounts.push({ ...twice.accounts[0]!, subject: '00000000-0000-4000-8000-000000000000' });
    expect(() => parseSeed(twice)).toThrow(/duplicate username fiscal-017/);
  });

  it('fills redirect URI templates from configuration', () => {
    expect(
      resolveUri('{GATEWAY_URL}/auth/callback', { GATEWAY_URL: 'http://x:1/', CODEC_SERVER_URL: 'http://y:2' }),
    ).toBe('http://x:1/auth/callback');
  });
});

describe('the Keycloak realm', () => {
  it('has our roles as realm roles and our agencies as groups with an agency attribute', () => {
    expect(realm.realm).toBe('case-orchestrator');
    expect(realm.roles.realm.map((r) => r.name).sort()).toEqual([...ROLES].sort());
    expect(realm.groups.map((g) => [g.name, g.attributes.agency])).toEqual(AGENCIES.map((a) => [a, [a]]));
    expect(realm.accessTokenLifespan).toBe(900);
    expect(realm.ssoSessionMaxLifespan).toBe(8 * 3600);
  });

  it('maps the audience, agency, staff id and realm roles in the cases scope every client has by default', () => {
    const cases = realm.clientScopes.find((s) => s.name === 'cases')!;
    const mapper = (type: string, claim?: string) =>
      cases.protocolMappers.find((m) => m.protocolMapper === type && (!claim || m.config['claim.name'] === claim));
    expect(mapper('oidc-audience-mapper')?.config['included.custom.audience']).toBe('case-orchestrator');
    expect(mapper('oidc-usermodel-attribute-mapper', 'agency')?.config['user.attribute']).toBe('agency');
    expect(mapper('oidc-usermodel-attribute-mapper', 'staff_id')?.config['user.attribute']).toBe('staff_id');
    expect(mapper('oidc-usermodel-realm-role-mapper', 'realm_access.roles')).toBeDefined();
    for (const client of realm.clients) expect(client.defaultClientScopes).toContain('cases');
  });

  it('registers the same clients as the dev seed, with the same grants', () => {
    expect(realm.clients.map((c) => c.clientId).sort()).toEqual(seed.clients.map((c) => c.clientId).sort());
    for (const client of realm.clients) {
      const dev = seed.clients.find((c) => c.clientId === client.clientId)!;
      expect(client.implicitFlowEnabled).toBe(false);
      expect(client.directAccessGrantsEnabled).toBe(false);
      if (dev.type === 'script') {
        expect(client).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
        const account = realm.users.find((u) => u.serviceAccountClientId === client.clientId)!;
        expect(account).toMatchObject({ groups: [`/${dev.agency}`], realmRoles: dev.roles });
      } else {
        expect(client.standardFlowEnabled).toBe(true);
        expect(client.attributes?.['pkce.code.challenge.method']).toBe('S256');
        expect(client.publicClient).toBe(dev.type === 'cli');
      }
    }
    expect(
      realm.clients.find((c) => c.clientId === 'cases-cli')?.attributes?.['oauth2.device.authorization.grant.enabled'],
    ).toBe('true');
  });

  it('holds no user with a password and no client secret', () => {
    expect(realm.users.every((u) => u.serviceAccountClientId !== undefined && u.credentials === undefined)).toBe(true);
    expect(realm.clients.every((c) => c.secret === undefined)).toBe(true);
    expect(realmText).not.toMatch(/"(secret|password|value)"\s*:/);
  });

  it('uses every agency role of the domain for some script or person (nothing in the realm is unknown to us)', () => {
    const agencyRoles = new Set(Object.values(AGENCY_ROLES).flat());
    for (const user of realm.users) for (const r of user.realmRoles) expect(agencyRoles.has(r as never)).toBe(true);
  });
});
