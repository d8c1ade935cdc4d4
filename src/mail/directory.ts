/**
 * The staff directory: for each member of staff (by staff id), where and how to reach them. Kept apart from the
 * identity provider's accounts, which hold no delivery preferences (and in production come from the agencies' own
 * directories through Keycloak): a JSON file, deploy/identity/staff-directory.json for development, a configured path
 * in production (MAIL_STAFF_DIRECTORY). Agency and roles are here so the notifier, which has no tokens to read them
 * from, can tell who in an agency a task is for.
 */
import { issueMessage } from '../domain/errors';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config';
import { Agency, Role, StaffId } from '../domain/agencies';
import { isTimeZone } from '../web/time';

export const Delivery = z.enum(['immediate', 'digest']);
export type Delivery = z.infer<typeof Delivery>;

export const StaffEntry = z
  .object({
    staffId: StaffId,
    agency: Agency,
    roles: z.array(Role).min(1).max(20),
    email: z.string().email('must be an e-mail address').max(254),
    language: z.enum(['es', 'en']).optional(),
    /** How task notifications reach them: each at once, or a daily digest (reminders and escalations always at once). */
    delivery: Delivery.default('immediate'),
    /** IANA time zone for times in their mails (default: the deployment's). */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone').optional(),
  })
  .strict();
export type StaffEntry = z.infer<typeof StaffEntry>;

const DirectoryFile = z
  .object({
    $comment: z.string().optional(),
    staff: z.array(StaffEntry).max(100_000),
  })
  .strict();

export class StaffDirectory {
  readonly #byId: Map<string, StaffEntry>;

  constructor(entries: readonly StaffEntry[]) {
    this.#byId = new Map(entries.map((e) => [e.staffId, e]));
    if (this.#byId.size !== entries.length) throw new ConfigError(['staff directory: a staff id appears twice']);
  }

  get(staffId: string | undefined): StaffEntry | undefined {
    return staffId === undefined ? undefined : this.#byId.get(staffId);
  }

  ofAgency(agency: Agency): StaffEntry[] {
    return [...this.#byId.values()].filter((e) => e.agency === agency);
  }

  get size(): number {
    return this.#byId.size;
  }
}

/** Parses a directory document; errors name the entry and the rule, never a value. */
export function parseStaffDirectory(raw: unknown, source = 'staff directory'): StaffDirectory {
  const parsed = DirectoryFile.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${issueMessage(i)}`));
  }
  return new StaffDirectory(parsed.data.staff);
}

export function readStaffDirectory(file: string): StaffDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`MAIL_STAFF_DIRECTORY: cannot read ${file}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError([`MAIL_STAFF_DIRECTORY: ${file} is not valid JSON`]);
  }
  return parseStaffDirectory(raw, file);
}
