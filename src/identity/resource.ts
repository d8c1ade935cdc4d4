/**
 * OAuth resource indicators (RFC 8707) must be absolute URIs, while our audience is a plain name
 * (OIDC_AUDIENCE=case-orchestrator, as Keycloak's audience mapper writes it). The dev provider therefore knows our
 * API as `urn:<audience>` and stamps `aud: <audience>` into the access tokens it issues for it.
 */
export function resourceIndicatorFor(audience: string): string {
  return URL.canParse(audience) ? audience : `urn:${audience}`;
}

/** The scope our API's access tokens carry (a Keycloak client scope of the same name holds the audience mapper). */
export const API_SCOPE = 'cases';
