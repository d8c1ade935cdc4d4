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
  ArrestRef,
  CrimeType,
  Holder,
  Iso,
  ItemRef,
  LocationInput,
  LocationRef,
  RaidRef,
  SuspectInput,
  SuspectRef,
  VictimInput,
  VictimRef,
  WarrantRef,
  WitnessInput,
} from './case';
import { CommandId } from './idempotency';
import type { CaseCommandName } from './permissions';
import { Duration, OffenceClass } from './policy';
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
      outcome: z.enum(['secured', 'empty', 'no-entry', 'aborted']),
    })
    .strict(),
  recordArrest: z
    .object({
      suspectRef: SuspectRef,
      offenceClass: OffenceClass,
      raidRef: RaidRef.optional(),
      locationRef: LocationRef.optional(),
    })
    .strict(),
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
  scheduleHearing: z.object({ kind: z.enum(['preliminary', 'detention', 'trial', 'sentencing']), at: Iso }).strict(),
  recordVerdict: z
    .object({
      verdicts: z
        .array(
          z
            .object({
              suspectRef: SuspectRef,
              outcome: z.enum(['convicted', 'acquitted']),
              sentenceMonths: z.number().int().min(0).max(1200).optional(),
            })
            .strict(),
        )
        .min(1, 'must give at least one verdict')
        .max(100),
    })
    .strict(),
  closeCase: none,
  archiveCase: z.object({ reason: z.enum(['insufficient-evidence', 'no-offence', 'merged', 'other']) }).strict(),
} as const satisfies Record<CaseCommandName, z.ZodType>;

/** The arguments of a case command, as its handler receives them (defaults applied, text trimmed). */
export type CaseArgs<N extends CaseCommandName> = z.output<(typeof CASE_COMMAND_ARGS)[N]>;

export const TASK_COMMAND_ARGS = {
  claimTask: z.object({ taskId: TaskId }).strict(),
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
