/** The agencies of a case, as generic roles. Real agency codes map onto these in configuration. */
import { z } from 'zod';

export const AGENCIES = ['PROSECUTION', 'POLICE', 'JUDICIARY', 'CHILD_PROTECTION', 'OVERSIGHT', 'PARTNER'] as const;
export const Agency = z.enum(AGENCIES);
export type Agency = z.infer<typeof Agency>;

/** AUDIT is not an agency: it receives one canonical, reference-only copy of every event. */
export const RECIPIENTS = [...AGENCIES, 'AUDIT'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** Who issues a command: an agency, optionally a named staff member (a staff id, never a name). */
export const Actor = z.object({
  agency: Agency,
  staffId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -')
    .optional(),
});
export type Actor = z.infer<typeof Actor>;

/** Parses `AGENCY[:staffId]` as given to `--as`. */
export function parseActor(text: string): Actor {
  const [agency, staffId, ...rest] = text.split(':');
  if (rest.length > 0) throw new Error('--as: must be AGENCY or AGENCY:staffId');
  return Actor.parse({ agency, staffId: staffId || undefined });
}
