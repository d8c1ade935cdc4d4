/**
 * What a case is made of. Input schemas (what agencies send) and the records kept in workflow state.
 * Fields marked personal (names, dates of birth, addresses, notes) stay inside encrypted workflow
 * payloads: events, search attributes, logs and errors only ever use the references (S-1, V-1, L-3).
 */
import { z } from 'zod';
import { Agency, StaffId } from './agencies';
import { refineBy } from './argument-rules';
import type { OffenceClass } from './deadline-policy';
import { DeadlinePolicy } from './policy';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const Iso = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time such as 2026-11-28T05:00:00Z',
});
const refOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-\\d{1,5}$`), `must be a reference like ${prefix}-1`);

export const SuspectRef = refOf('S');
export const VictimRef = refOf('V');
export const LocationRef = refOf('L');
export const WarrantRef = refOf('W');
export const RaidRef = refOf('R');
export const ArrestRef = refOf('A');
export const ItemRef = refOf('E');

export const CaseId = z
  .string()
  .regex(
    /^[A-Z0-9][A-Z0-9-]{2,62}[A-Z0-9]$/,
    'must be 4-64 upper-case letters, digits and dashes, e.g. PE-LIM-2026-0042',
  );

export const CrimeType = z.enum([
  'human-trafficking',
  'sale-of-children',
  'illegal-adoption',
  'illegal-abortion',
  'organized-crime',
  'corruption',
  'sexual-exploitation',
  'forced-labour',
]);

const Priority = z.enum(['normal', 'high', 'urgent']);

const OfficialStatus = z
  .object({ agency: Agency, current: z.boolean(), rank: text(80).optional() })
  .strict()
  .describe('set when the suspect is or was an official: triggers OVERSIGHT and restricts that agency');

export const SuspectInput = z
  .object({
    name: text(200).describe('personal: kept encrypted, never in events'),
    alias: text(80).optional(),
    roles: z
      .array(z.enum(['leader', 'member', 'medical', 'broker', 'buyer', 'parent', 'facilitator']))
      .max(10)
      .default([]),
    official: OfficialStatus.optional(),
  })
  .strict();

export const VictimInput = refineBy(
  z
    .object({
      name: text(200).optional().describe('personal: kept encrypted, never in events'),
      minor: z.boolean(),
      ageMonths: z.number().int().min(0).max(1500).optional(),
      sex: z.enum(['female', 'male', 'unknown']).default('unknown'),
    })
    .strict(),
  'minor-under-18',
);

export const WitnessInput = z
  .object({ name: text(200).describe('personal'), protected: z.boolean().default(false) })
  .strict();

export const LocationInput = z
  .object({
    kind: z.enum(['home', 'business', 'clinic', 'vehicle', 'other']),
    district: text(80).describe('coarse area; not personal'),
    address: text(300).optional().describe('personal: kept encrypted, never in events'),
  })
  .strict();

export const OpenCaseInput = z
  .object({
    caseId: CaseId,
    codename: z.string().regex(/^[A-Z][A-Z0-9-]{1,39}$/, 'must be 2-40 upper-case letters, digits or dashes'),
    jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,10}){0,3}$/, 'must look like PE-LIM (country-region codes)'),
    crimeTypes: z.array(CrimeType).min(1, 'must name at least one crime type').max(8),
    priority: Priority.default('normal'),
    leadProsecutor: z.object({ staffId: StaffId }).strict(),
    summary: text(2000).optional().describe('personal: kept encrypted, never in events'),
  })
  .strict();
export type OpenCaseInput = z.input<typeof OpenCaseInput>;

/**
 * How a case workflow receives its opening: the caller's input as validated by the gateway, and the
 * deadline policy of the deployment (configuration within legal bounds, never the caller's choice).
 * Histories recorded before that rule carried the policy inside `open`; they still replay.
 */
export const RecordedOpenCaseInput = OpenCaseInput.extend({ policy: DeadlinePolicy.optional() }).strict();

/** Someone who holds a seized item: an agency, and a staff id when a person signs for it. */
export const Holder = z.object({ agency: Agency, staffId: StaffId.optional() }).strict();
export type Holder = z.infer<typeof Holder>;

export type Suspect = z.infer<typeof SuspectInput> & { ref: string; addedAt: string; charged: boolean };
export type Victim = z.infer<typeof VictimInput> & {
  ref: string;
  addedAt: string;
  custody?: { takenAt: string; custodyRef: string; protectionWorkflowId: string; raidRef?: string };
};
export type Witness = z.infer<typeof WitnessInput> & { ref: string; addedAt: string };
export type Location = z.infer<typeof LocationInput> & { ref: string; addedAt: string };

export interface Warrant {
  ref: string;
  kind: 'search' | 'arrest';
  locationRefs: string[];
  suspectRefs: string[];
  status: 'requested' | 'approved' | 'denied';
  requestedAt: string;
  validUntil?: string;
  decidedAt?: string;
  taskId: string;
}

export interface Raid {
  ref: string;
  warrantRefs: string[];
  locationRefs: string[];
  startsAt: string;
  status: 'planned' | 'completed';
  reports: Record<string, { at: string; outcome: string }>;
  workflowId: string;
}

export interface Arrest {
  ref: string;
  suspectRef: string;
  at: string;
  raidRef?: string;
  locationRef?: string;
  offenceClass: OffenceClass;
  status: 'held' | 'remanded' | 'released';
  /** Epoch ms when police detention lapses; extended by JUDICIARY. */
  limitAt: number;
  extensions: number;
  taskId?: string;
}

export interface CustodyTransfer {
  at: string;
  from?: { agency: string; staffId?: string };
  to: { agency: string; staffId?: string };
  reason: string;
}

export interface SeizedItem {
  ref: string;
  kind: 'documents' | 'cash' | 'vehicle' | 'phone' | 'computer' | 'medical-equipment' | 'other';
  description: string;
  raidRef?: string;
  locationRef?: string;
  seizedAt: string;
  custody: CustodyTransfer[];
}

export interface Charge {
  ref: string;
  suspectRefs: string[];
  offences: string[];
  filedAt: string;
}

export interface Hearing {
  ref: string;
  kind: 'preliminary' | 'detention' | 'trial' | 'sentencing';
  at: string;
}

export interface Verdict {
  suspectRef: string;
  outcome: 'convicted' | 'acquitted';
  sentenceMonths?: number;
  at: string;
}
