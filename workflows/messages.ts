/**
 * Every message of every workflow, defined once and shared by workflow and client code. Agency
 * commands are Updates named after the command; each takes `{ actor, args, commandId }` (CommandInput).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccessFacts } from '../src/domain/access';
import type { CaseSnapshot } from '../src/domain/case-state';
import type { CommandInput, TaskCommandName } from '../src/domain/command-args';
import type { DeadlinePolicy } from '../src/domain/policy';
import type { CaseCommandName } from '../src/domain/permissions';
import type { ProtectionSnapshot } from '../src/domain/protection';
import type { RaidSnapshot } from '../src/domain/raid';
import type { TimelineEntry } from '../src/domain/state';
import type { HumanTask } from '../src/domain/tasks';

export type { ProtectionSnapshot, RaidSnapshot };

export const caseCommandUpdate = (name: CaseCommandName) => defineUpdate<Record<string, unknown>, [CommandInput]>(name);
export const taskCommandUpdate = (name: TaskCommandName) => defineUpdate<HumanTask, [CommandInput]>(name);

export const caseSnapshotQuery = defineQuery<CaseSnapshot>('caseSnapshot');
export const caseTimelineQuery = defineQuery<TimelineEntry[]>('caseTimeline');
/** The policy the case runs under (deadlines and vocabulary), fixed when it opened. */
export const casePolicyQuery = defineQuery<DeadlinePolicy>('casePolicy');
/** Who may read the case at all (conflict of interest): asked by the gateway before every read. */
export const caseAccessQuery = defineQuery<AccessFacts>('caseAccess');
/** For tests and admins: events in the outbox not yet acknowledged by JetStream. */
export const pendingEventsQuery = defineQuery<number>('pendingEvents');

/**
 * Signals pass between our own workflows only. Every one carries a payload, so the payload codec can
 * tell ours (encrypted with the deployment's key) from a forgery, and every handler validates what it
 * gets and ignores what it cannot use: a signal can never fail a workflow task.
 */
/** A raid tells its case it heard from every location (by signal: it works across continue-as-new). */
export const raidCompletedSignal = defineSignal<[{ raidRef: string; missing: string[] }]>('raidCompleted');
export const locationReportedSignal = defineSignal<[{ locationRef: string }]>('locationReported');
export const stopRaidSignal = defineSignal<[{ reason: 'case-over' }]>('stopRaid');

export const raidSnapshotQuery = defineQuery<RaidSnapshot>('raidSnapshot');
export const protectionSnapshotQuery = defineQuery<ProtectionSnapshot>('protectionSnapshot');
