/**
 * The agencies of a case and the roles of their staff, as generic codes, and who issues a command.
 * Real agency codes and an identity provider's group and role names map onto these in configuration
 * (src/identity). No zod here: workflow code runs this module (the schemas are in agencies.ts).
 */

export const AGENCIES = ['PROSECUTION', 'POLICE', 'JUDICIARY', 'CHILD_PROTECTION', 'OVERSIGHT', 'PARTNER'] as const;
export type Agency = (typeof AGENCIES)[number];

/**
 * Who receives events. AUDIT is not an agency: it receives one canonical, reference-only copy of every
 * event. CLEARED is not an agency either: while an agency is restricted on a case (one of its officials
 * is a suspect), the tasks it must still do reach only its staff cleared by name, through this
 * recipient, which the notifier alone reads; the agency's own channel hears nothing of the case.
 */
export const RECIPIENTS = [...AGENCIES, 'CLEARED', 'AUDIT'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** Roles of staff, per agency. A court clerk is not a judge; a partner analyst sees figures only. */
export const AGENCY_ROLES = {
  PROSECUTION: ['prosecutor', 'coordinating-prosecutor'],
  POLICE: ['police-officer'],
  JUDICIARY: ['judge', 'court-clerk'],
  CHILD_PROTECTION: ['social-worker'],
  OVERSIGHT: ['oversight-investigator'],
  PARTNER: ['partner-analyst'],
} as const satisfies Record<Agency, readonly string[]>;
export type AgencyRole = (typeof AGENCY_ROLES)[Agency][number];

/** `admin` belongs to no agency: operators who inspect and repair cases (codec server, Temporal UI). */
export const ROLES = [...Object.values(AGENCY_ROLES).flat(), 'admin'] as const;
export type Role = AgencyRole | 'admin';

/** How refusals name a role, in plain words ("Only a judge can approve a warrant"). */
export const ROLE_NAMES: Record<Role, string> = {
  prosecutor: 'a prosecutor',
  'coordinating-prosecutor': 'a coordinating prosecutor',
  'police-officer': 'a police officer',
  judge: 'a judge',
  'court-clerk': 'a court clerk',
  'social-worker': 'a social worker',
  'oversight-investigator': 'an oversight investigator',
  'partner-analyst': 'a partner analyst',
  admin: 'an administrator',
};

export function rolesOf(agency: Agency): readonly AgencyRole[] {
  return AGENCY_ROLES[agency];
}

/**
 * Who issues a command. Built by the gateway from a verified access token, never from a request:
 * `subject` is the token's subject, `clientId` the OAuth client it was issued to, `staffId` the
 * person's staff id (absent for an agency's system), `roles` what the identity provider grants.
 * Ids only, never names.
 */
export interface Actor {
  agency: Agency;
  staffId?: string;
  roles: Role[];
  subject?: string;
  clientId?: string;
}

/** A display form for tables and logs: `AGENCY:staffId` or `AGENCY (client)`. */
export function actorLabel(actor: Pick<Actor, 'agency' | 'staffId' | 'clientId'>): string {
  if (actor.staffId) return `${actor.agency}:${actor.staffId}`;
  return actor.clientId ? `${actor.agency} (${actor.clientId})` : actor.agency;
}
