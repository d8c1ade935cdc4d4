/**
 * What a case is made of. Input schemas (what agencies send) and the records kept in workflow state.
 * Fields marked personal (names, dates of birth, addresses, notes) stay inside encrypted workflow
 * payloads: events, search attributes, logs and errors only ever use the references (S-1, V-1, L-3).
 */
import { z } from 'zod';
import { Agency, StaffId } from './agencies';
import { refineBy } from './argument-rules';
import { INSTITUTION_TYPES, type InstitutionType } from './officials';
import { LegacyPolicy, VocabularyCode } from './policy';

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
export const HearingRef = refOf('H');

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
  'labour-exploitation',
  'slavery',
  'servitude',
  'organ-removal',
  'forced-begging',
  'forced-criminality',
]);

const Priority = z.enum(['normal', 'high', 'urgent']);

/** An institution's own reference for itself (a registry code such as MUNI-LIMA-SJL), never a person. */
const InstitutionRef = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,40}$/, 'must be a reference such as MUNI-LIMA-SJL (letters, digits, dashes)');

const OFFICIAL = 'set when the suspect is or was an official: OVERSIGHT reviews; an agency of the case is restricted';

export const OfficialInput = z
  .object({
    institution: z
      .enum(INSTITUTION_TYPES)
      .describe('police, judiciary, prosecution or child-protection restrict that agency on the case'),
    institutionRef: InstitutionRef.optional(),
    current: z.boolean(),
    rank: text(80).optional().describe('personal: kept encrypted, never in events'),
  })
  .strict()
  .describe(OFFICIAL);

/**
 * An official as recorded before institutions existed: the agency of the case the official belonged to
 * (`agency`). Handlers keep accepting it, so that those histories replay; new commands name the institution.
 */
const RecordedOfficial = z
  .object({
    agency: Agency.optional(),
    institution: z.enum(INSTITUTION_TYPES).optional(),
    institutionRef: InstitutionRef.optional(),
    current: z.boolean(),
    rank: text(80).optional(),
  })
  .strict();

const suspectFields = {
  name: text(200).describe('personal: kept encrypted, never in events'),
  alias: text(80).optional(),
  roles: z
    .array(VocabularyCode.meta({ 'x-vocabulary': 'suspectRoles' }))
    .max(10)
    .default([])
    .describe("codes of the case's vocabulary (suspectRoles)"),
};

export const SuspectInput = z.object({ ...suspectFields, official: OfficialInput.optional() }).strict();
/** addSuspect's arguments as histories may hold them (see RecordedOfficial). */
export const RecordedSuspectInput = z.object({ ...suspectFields, official: RecordedOfficial.optional() }).strict();

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
    kind: VocabularyCode.meta({ 'x-vocabulary': 'locationKinds' }).describe(
      "a code of the case's vocabulary (locationKinds)",
    ),
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
export const RecordedOpenCaseInput = OpenCaseInput.extend({ policy: LegacyPolicy.optional() }).strict();

/** Someone who holds a seized item: an agency, and a staff id when a person signs for it. */
export const Holder = z.object({ agency: Agency, staffId: StaffId.optional() }).strict();
export type Holder = z.infer<typeof Holder>;

/** A suspect's official role, as the case keeps it (`agency` only in suspects recorded before institutions). */
export interface Official {
  institution: InstitutionType;
  institutionRef?: string;
  current: boolean;
  rank?: string;
  /** The agency of the case the official belongs to (restricted on the case), if any. */
  agency?: Agency;
}

export type Suspect = Omit<z.infer<typeof SuspectInput>, 'official'> & {
  ref: string;
  addedAt: string;
  charged: boolean;
  official?: Official;
};
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

/** What a raid found at a location. Nobody is arrested, nothing seized, no one rescued where it found no one. */
export const LOCATION_OUTCOMES = ['secured', 'hostile', 'empty', 'aborted', 'no-entry'] as const;
export type LocationOutcome = (typeof LOCATION_OUTCOMES)[number];

export interface Raid {
  ref: string;
  warrantRefs: string[];
  locationRefs: string[];
  startsAt: string;
  status: 'planned' | 'completed';
  reports: Record<string, { at: string; outcome: LocationOutcome }>;
  workflowId: string;
}

/** Why an arrest is lawful: an approved arrest warrant naming the suspect, or caught in the act. */
export type ArrestBasis = { warrantRef: string } | { inFlagrante: true };

export interface Arrest {
  ref: string;
  suspectRef: string;
  at: string;
  raidRef?: string;
  locationRef?: string;
  offenceClass: string;
  /** Absent only in arrests recorded before a legal basis was required. */
  basis?: ArrestBasis;
  status: 'held' | 'remanded' | 'released';
  /** Epoch ms when police detention lapses; extended by JUDICIARY. */
  limitAt: number;
  extensions: number;
  taskId?: string;
  /**
   * The legal record of a detention that outlived its limit: from the limit until the release (or, in
   * cases from before this rule, the ruling) that ended it. Never removed.
   */
  lapse?: { from: string; until?: string };
  /** The judicial review of an arrest in flagrante. */
  review?: { taskId: string; dueAt: string; confirmedAt?: string };
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

export const HEARING_KINDS = ['preliminary', 'detention', 'trial', 'sentencing', 'appeal'] as const;

export interface Hearing {
  ref: string;
  kind: (typeof HEARING_KINDS)[number];
  at: string;
  /** The defendant an appellate hearing is about. */
  suspectRef?: string;
  /** Absent in hearings scheduled before held hearings were recorded: scheduled. */
  status?: 'scheduled' | 'held';
}

export const VERDICT_OUTCOMES = ['convicted', 'acquitted', 'dismissed'] as const;
export type VerdictOutcome = (typeof VERDICT_OUTCOMES)[number];

/** A verdict as the legal record keeps it: every one given, by the trial court or on appeal. */
export interface Verdict {
  suspectRef: string;
  outcome: VerdictOutcome;
  sentenceMonths?: number;
  at: string;
  /** Absent for verdicts of the trial court. */
  court?: 'appeal';
}

export const SEVERANCE_REASONS = [
  'fugitive',
  'contempt-of-court',
  'separate-trial',
  'unfit-to-stand-trial',
  'other',
] as const;
export const APPEAL_DECISIONS = ['upheld', 'overturned', 'retrial'] as const;

/**
 * The proceedings against one charged suspect. `awaiting-verdict` until a verdict (again after a retrial is
 * ordered); `severed` while tried apart (a fugitive declared in contempt of court: open, and visible);
 * `judged` while the appeal window runs; `appealed` while before the appellate court; `final` once the
 * judgment can no longer be appealed. A case closes when every defendant's judgment is final.
 */
export interface Defendant {
  suspectRef: string;
  chargedAt: string;
  status: 'awaiting-verdict' | 'severed' | 'judged' | 'appealed' | 'final';
  severance?: { at: string; reason: (typeof SEVERANCE_REASONS)[number] };
  verdict?: { outcome: VerdictOutcome; sentenceMonths?: number; at: string; court?: 'appeal' };
  /** While `judged`: when the appeal window closes. */
  appealUntil?: string;
  appeals: {
    at: string;
    by: 'defence' | 'prosecution';
    taskId: string;
    decision?: (typeof APPEAL_DECISIONS)[number];
    decidedAt?: string;
  }[];
  finalAt?: string;
}
