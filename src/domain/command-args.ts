/**
 * What every command takes, as zod schemas: the Update envelope, each case command's arguments and
 * each task command's. The gateway, the client and the CLI parse with these (and apply their defaults)
 * before sending. Workflow code never loads them: it checks the same rules with the JSON Schemas
 * generated from them (generated/input-schemas.ts, see generate-schemas.ts).
 */
import { z } from 'zod';
import { Actor, Agency, StaffId } from './agencies';
import { refineBy } from './argument-rules';
import {
  APPEAL_DECISIONS,
  ArrestRef,
  CrimeType,
  HEARING_KINDS,
  HearingRef,
  Holder,
  Iso,
  ItemRef,
  LOCATION_OUTCOMES,
  LocationInput,
  LocationRef,
  RaidRef,
  RecordedSuspectInput,
  SEVERANCE_REASONS,
  SuspectInput,
  SuspectRef,
  VERDICT_OUTCOMES,
  VictimInput,
  VictimRef,
  WarrantRef,
  WitnessInput,
} from './case';
import { CommandId } from './idempotency';
import type { CaseCommandName } from './permissions';
import { Duration, VocabularyCode } from './policy';
import { TaskId } from './tasks';

/**
 * What every command Update carries. The gateway builds it: `actor` from the caller's verified access
 * token, never from the request. `commandId` is required of new commands (the validator says so); the
 * schema leaves it optional only so that histories recorded before it existed still replay.
 */
export const CommandInput = z.object({ actor: Actor, args: z.unknown(), commandId: CommandId.optional() }).strict();
export type CommandInput = z.input<typeof CommandInput>;
export type ParsedCommandInput = z.output<typeof CommandInput>;

const none = z.object({}).strict();
const OptionalPlace = { raidRef: RaidRef.optional(), locationRef: LocationRef.optional() };

/** A vetted unit: staff of a restricted agency the prosecution clears by name to work the case. */
const Clearance = z.object({ agency: refineBy(Agency, 'not-oversight'), staffId: StaffId }).strict();

const arrestFields = {
  suspectRef: SuspectRef,
  offenceClass: VocabularyCode.meta({ 'x-vocabulary': 'offenceClasses' }).describe(
    "a code of the case's vocabulary (offenceClasses): it sets the police detention limit",
  ),
  warrantRef: WarrantRef.optional().describe('the approved arrest warrant that names the suspect'),
  inFlagrante: z
    .boolean()
    .optional()
    .describe('caught in the act, without a warrant: a judge reviews the arrest within the policy'),
  ...OptionalPlace,
};

const HearingKind = z.enum(HEARING_KINDS);
const hearingFields = {
  kind: HearingKind,
  suspectRef: SuspectRef.optional().describe('the defendant the hearing is about (required for an appeal)'),
};

const Sentence = z.number().int().min(0).max(1200);
const Outcome = z.enum(VERDICT_OUTCOMES);

export const CASE_COMMAND_ARGS = {
  startInvestigation: none,
  assignProsecutor: z.object({ staffId: StaffId }).strict(),
  clearStaff: Clearance,
  revokeClearance: Clearance,
  addSuspect: SuspectInput,
  addVictim: VictimInput,
  addWitness: WitnessInput,
  addLocation: LocationInput,
  requestWarrant: refineBy(
    z
      .object({
        kind: z.enum(['search', 'arrest']),
        locationRefs: z.array(LocationRef).max(100).default([]),
        suspectRefs: z.array(SuspectRef).max(100).default([]),
      })
      .strict(),
    'names-a-location-or-suspect',
  ),
  approveWarrant: z.object({ warrantRef: WarrantRef, validFor: Duration.optional() }).strict(),
  denyWarrant: z
    .object({ warrantRef: WarrantRef, reason: z.enum(['insufficient-grounds', 'defective', 'other']) })
    .strict(),
  planRaid: refineBy(
    z
      .object({
        locationRefs: z.array(LocationRef).min(1, 'must name at least one location').max(500),
        startsAt: Iso.optional().describe('when the operation starts; now if omitted'),
      })
      .strict(),
    'distinct-locations',
  ),
  reportLocation: z
    .object({
      raidRef: RaidRef,
      locationRef: LocationRef,
      outcome: z
        .enum(LOCATION_OUTCOMES)
        .describe('empty, aborted or no-entry: no arrest, seizure or rescue is recorded at the location'),
    })
    .strict(),
  recordArrest: refineBy(z.object(arrestFields).strict(), 'arrest-basis'),
  confirmArrest: z.object({ arrestRef: ArrestRef }).strict(),
  extendDetention: z.object({ arrestRef: ArrestRef, extendBy: Duration.optional() }).strict(),
  endDetention: z.object({ arrestRef: ArrestRef, outcome: z.enum(['released', 'remanded']) }).strict(),
  recordSeizure: z
    .object({
      kind: z.enum(['documents', 'cash', 'vehicle', 'phone', 'computer', 'medical-equipment', 'other']),
      description: z.string().trim().min(1).max(200).describe('the item, never the people'),
      heldBy: StaffId.optional(),
      ...OptionalPlace,
    })
    .strict(),
  transferCustody: z
    .object({
      itemRef: ItemRef,
      to: Holder,
      reason: z.enum(['evidence-storage', 'forensic-analysis', 'court-exhibit', 'return-to-owner', 'other']),
    })
    .strict(),
  rescueMinor: z
    .object({
      victimRef: VictimRef,
      custodyRef: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be a reference such as SHELTER-12'),
      ...OptionalPlace,
    })
    .strict(),
  fileCharges: z
    .object({
      suspectRefs: z.array(SuspectRef).min(1, 'must name at least one identified suspect').max(100),
      offences: z.array(CrimeType).min(1, 'must name at least one offence').max(10),
    })
    .strict(),
  openTrial: none,
  scheduleHearing: refineBy(
    z.object({ ...hearingFields, at: Iso.describe('in the future') }).strict(),
    'appeal-hearing-names-defendant',
  ),
  recordHearing: refineBy(
    z
      .object({
        ...hearingFields,
        at: Iso.describe('when it took place (not in the future)'),
        hearingRef: HearingRef.optional().describe('the scheduled hearing that took place, if it was scheduled'),
      })
      .strict(),
    'appeal-hearing-names-defendant',
  ),
  recordVerdict: refineBy(
    z
      .object({
        verdicts: z
          .array(
            refineBy(
              z.object({ suspectRef: SuspectRef, outcome: Outcome, sentenceMonths: Sentence.optional() }).strict(),
              'sentence-only-on-conviction',
            ),
          )
          .min(1, 'must give at least one verdict')
          .max(100),
      })
      .strict(),
    'distinct-defendants',
  ),
  severDefendant: z
    .object({
      suspectRef: SuspectRef,
      reason: z.enum(SEVERANCE_REASONS).describe('a fugitive declared in contempt of court is tried later'),
    })
    .strict(),
  lodgeAppeal: z.object({ suspectRef: SuspectRef, by: z.enum(['defence', 'prosecution']) }).strict(),
  decideAppeal: refineBy(
    refineBy(
      z
        .object({
          suspectRef: SuspectRef,
          decision: z.enum(APPEAL_DECISIONS),
          outcome: Outcome.optional().describe('the verdict that replaces the overturned one'),
          sentenceMonths: Sentence.optional(),
        })
        .strict(),
      'outcome-when-overturned',
    ),
    'sentence-only-on-conviction',
  ),
  waiveAppeal: refineBy(
    z
      .object({
        suspectRefs: z.array(SuspectRef).min(1, 'must name at least one defendant').max(100),
      })
      .strict(),
    'distinct-suspects',
  ),
  closeCase: none,
  archiveCase: z.object({ reason: z.enum(['insufficient-evidence', 'no-offence', 'merged', 'other']) }).strict(),
} as const satisfies Record<CaseCommandName, z.ZodType>;

/** The arguments of a case command, as its validator checks them (defaults applied, text trimmed). */
export type CaseArgs<N extends CaseCommandName> = z.output<(typeof CASE_COMMAND_ARGS)[N]>;

/**
 * Arguments as histories recorded before a rule changed may hold them, for the commands whose arguments
 * became stricter: handlers parse with these, so that recorded commands keep applying on replay
 * (validators, which do not run on replay, parse with CASE_COMMAND_ARGS).
 */
export const RECORDED_CASE_ARGS = {
  // Officials named by the agency they belonged to, before institutions.
  addSuspect: RecordedSuspectInput,
  // Arrests without a legal basis, before one was required.
  recordArrest: z.object(arrestFields).strict(),
} as const satisfies Partial<Record<CaseCommandName, z.ZodType>>;

type Recorded = typeof RECORDED_CASE_ARGS;
/** The arguments a handler receives: the recorded shape where there is one. */
export type RecordedCaseArgs<N extends CaseCommandName> = N extends keyof Recorded
  ? z.output<Recorded[N]>
  : CaseArgs<N>;

export const TASK_COMMAND_ARGS = {
  claimTask: z.object({ taskId: TaskId }).strict(),
  unclaimTask: z.object({ taskId: TaskId }).strict(),
  completeTask: z
    .object({
      taskId: TaskId,
      outcome: z
        .string()
        .regex(/^[a-z0-9-]{1,64}$/, 'must be a short code of lower-case letters, digits and dashes')
        .optional(),
    })
    .strict(),
} as const;

export type TaskCommandName = keyof typeof TASK_COMMAND_ARGS;
export type TaskArgs = z.output<(typeof TASK_COMMAND_ARGS)[TaskCommandName]>;
