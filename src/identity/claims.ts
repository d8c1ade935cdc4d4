/**
 * From a verified token's claims to who is calling. The claim names come from configuration
 * (OIDC_CLAIM_AGENCY, OIDC_CLAIM_STAFF_ID, OIDC_CLAIM_ROLES), so the embedded dev provider (`agency`, `staff_id`,
 * `roles`) and Keycloak (`realm_access.roles`) feed the same code. Values are checked against the domain's codes:
 * an unknown agency refuses the token (a caller must never land in the wrong agency or in none by accident), while
 * unknown roles are dropped, because identity providers add roles of their own (Keycloak's `offline_access`,
 * `default-roles-<realm>`). A role is kept only when it belongs to the token's agency (or is `admin`): a
 * mis-mapped directory group must not turn a police officer into a judge.
 */
import { Agency, AGENCY_ROLES, Role, StaffId, type Actor } from '../domain/agencies';
import { TokenRejectedError } from './errors';

export interface ClaimMapping {
  /** Claim holding the agency code, e.g. `agency`. Dot paths reach into objects: `realm_access.roles`. */
  agency: string;
  staffId: string;
  roles: string;
}

export const DEFAULT_CLAIMS: ClaimMapping = { agency: 'agency', staffId: 'staff_id', roles: 'roles' };

/**
 * Who presented a verified token. `kind` is `person` when the token names a staff id (a member of staff signed
 * in), `service` otherwise (an agency's system, with client credentials). Ids only, never names.
 */
export interface Identity {
  subject: string;
  agency?: Agency;
  staffId?: string;
  roles: Role[];
  clientId?: string;
  kind: 'person' | 'service';
}

const MAX_ROLES = 20;
const MAX_ID_LENGTH = 255;

/** The value at a dot path (`realm_access.roles`), or undefined. A claim whose own name has a dot wins. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const refuse = (message: string): never => {
  throw new TokenRejectedError('claims', message);
};

function shortId(value: unknown, claim: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    return refuse(`claim ${claim} must be a string of 1-${MAX_ID_LENGTH} characters`);
  }
  return value;
}

/** One agency code. A directory may deliver it as a one-element list (a multivalued attribute). */
function agencyOf(value: unknown, claim: string): Agency | undefined {
  if (value === undefined || value === null) return undefined;
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof single !== 'string') return refuse(`claim ${claim} must be one agency code`);
  const parsed = Agency.safeParse(single);
  // The value is not quoted: an attacker-chosen string has no place in logs.
  return parsed.success ? parsed.data : refuse(`claim ${claim} is not a known agency code`);
}

/** A list of role names (or one space-separated string); anything that is not a string is ignored. */
function roleNames(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return refuse('roles claim must be a list of role names');
}

function rolesFor(agency: Agency | undefined, names: string[]): Role[] {
  const allowed = new Set<string>(agency ? AGENCY_ROLES[agency] : []);
  allowed.add('admin');
  const roles = new Set<Role>();
  for (const name of names) {
    const parsed = Role.safeParse(name);
    if (parsed.success && allowed.has(parsed.data)) roles.add(parsed.data);
  }
  return [...roles].slice(0, MAX_ROLES);
}

/** The Identity in a verified token's payload. Throws TokenRejectedError('claims') when a value is unusable. */
export function identityFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping = DEFAULT_CLAIMS): Identity {
  const subject = shortId(claims.sub, 'sub') ?? refuse('claim sub is required');
  const agency = agencyOf(claimAt(claims, mapping.agency), mapping.agency);
  const rawStaffId = claimAt(claims, mapping.staffId);
  let staffId: string | undefined;
  if (rawStaffId !== undefined && rawStaffId !== null) {
    const parsed = StaffId.safeParse(rawStaffId);
    staffId = parsed.success ? parsed.data : refuse(`claim ${mapping.staffId} is not a valid staff id`);
  }
  const roles = rolesFor(agency, roleNames(claimAt(claims, mapping.roles)));
  const clientId = shortId(claims.azp ?? claims.client_id, 'azp/client_id');
  return {
    subject,
    ...(agency ? { agency } : {}),
    ...(staffId ? { staffId } : {}),
    roles,
    ...(clientId ? { clientId } : {}),
    kind: staffId ? 'person' : 'service',
  };
}

/**
 * The actor of a case command, for an identity that belongs to an agency; undefined for one that does not (an
 * admin), which may not issue case commands at all.
 */
export function actorFromIdentity(identity: Identity): Actor | undefined {
  if (!identity.agency) return undefined;
  return {
    agency: identity.agency,
    ...(identity.staffId ? { staffId: identity.staffId } : {}),
    roles: identity.roles,
    subject: identity.subject,
    ...(identity.clientId ? { clientId: identity.clientId } : {}),
  };
}
