/**
 * The schemas of agencies, roles, staff ids and actors, for code that parses what comes from outside
 * (the gateway, identity mapping, configuration). The codes, roles and the Actor type themselves are
 * in actors.ts, which workflow code uses; this module re-exports them.
 */
import { z } from 'zod';
import {
  AGENCIES,
  ROLES,
  type Actor as ActorRecord,
  type Agency as AgencyCode,
  type AgencyRole,
  type Role as RoleCode,
} from './actors';

export * from './actors';

export const Agency = z.enum(AGENCIES);
export type Agency = AgencyCode;

export const Role = z.enum(ROLES as unknown as [AgencyRole | 'admin', ...(AgencyRole | 'admin')[]]);
export type Role = RoleCode;

export const StaffId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -');

/** The actor of a command (see actors.ts); `roles` defaults to none for tokens and histories without them. */
export const Actor = z
  .object({
    agency: Agency,
    staffId: StaffId.optional(),
    roles: z.array(Role).max(20).default([]),
    subject: z.string().min(1).max(255).optional(),
    clientId: z.string().min(1).max(255).optional(),
  })
  .strict();
export type Actor = ActorRecord;
