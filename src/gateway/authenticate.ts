/**
 * Who is calling: the verified access token, and nothing else. Every route but the health checks and the
 * public catalogue needs a bearer token; the verifier (src/identity) checks signature, issuer, audience,
 * validity and algorithm, and the claim mapping names agency, staff id and roles. The actor that reaches
 * a workflow is built here from that identity; a request that brings an actor of its own is refused.
 */
import type { FastifyRequest } from 'fastify';
import { rolesOf, type Actor, type AgencyRole } from '../domain/agencies';
import { bearerToken } from '../identity/verify';
import type { Identity, TokenVerifier } from '../identity/verify';
import { TokenRejectedError } from '../identity/errors';
import { GatewayProblem } from './problems';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authenticate(): the caller, as the workflows will see them. */
    actor?: Actor;
  }
}

/** The actor a verified identity acts as: its agency, its staff id, the roles it holds in that agency. */
export function actorOf(identity: Identity): Actor {
  if (!identity.agency) {
    throw new GatewayProblem(403, 'NOT_PERMITTED', 'this token belongs to no agency: it may not act on cases');
  }
  const agencyRoles: readonly string[] = rolesOf(identity.agency);
  return {
    agency: identity.agency,
    ...(identity.staffId ? { staffId: identity.staffId } : {}),
    roles: identity.roles.filter((r): r is AgencyRole => agencyRoles.includes(r)),
    subject: identity.subject,
    ...(identity.clientId ? { clientId: identity.clientId } : {}),
  };
}

/** Verifies the request's bearer token and sets request.actor; throws a 401 (or 503) problem otherwise. */
export async function authenticate(request: FastifyRequest, verifier: TokenVerifier): Promise<Actor> {
  let identity: Identity;
  try {
    identity = await verifier.verify(bearerToken(request.headers.authorization));
  } catch (err) {
    if (err instanceof TokenRejectedError) {
      request.log.info({ reason: err.reason }, 'token refused');
      if (err.reason === 'issuer-unreachable') {
        throw new GatewayProblem(503, 'IDENTITY_UNAVAILABLE', 'the identity provider cannot be reached; try again');
      }
      // One answer for every reason: a forger learns nothing from the difference.
      throw new GatewayProblem(401, 'UNAUTHENTICATED', 'a valid access token is required (Authorization: Bearer ...)', {
        'WWW-Authenticate': `Bearer realm="case-orchestrator", error="${err.reason === 'missing' ? 'invalid_request' : 'invalid_token'}"`,
      });
    }
    throw err;
  }
  const actor = actorOf(identity);
  request.actor = actor;
  return actor;
}

/** The body's own fields, refusing any that try to say who acts. */
export function refuseSelfDeclaredActor(body: unknown): void {
  if (body && typeof body === 'object' && ('actor' in body || 'as' in body)) {
    throw new GatewayProblem(400, 'INVALID_ARGUMENTS', 'actor: not accepted; who acts comes from your access token');
  }
}
