/**
 * caseWorkflow: one per trafficking case, the system of record for it. Agency commands arrive as
 * Updates whose validators apply the case rules (src/domain), so a refused command never reaches
 * history; deadlines are durable timers; raids and protected minors run as child workflows.
 */
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { caseSearchFacts, caseSnapshot, openCaseState, upgradeCaseState } from '../src/domain/case-state';
import type { Effect, Outcome } from '../src/domain/commands/define';
import { executeCaseCommand, onCaseDeadline, validateCaseCommand } from '../src/domain/commands/decide';
import { onRaidCompleted } from '../src/domain/commands/operation';
import { CASE_COMMAND_NAMES } from '../src/domain/commands/registry';
import { parseOpenCase } from '../src/domain/input-schemas';
import type { RecordedPolicy } from '../src/domain/policy';
import type { Rules } from '../src/domain/rule-changes';
import { isFinal } from '../src/domain/stages';
import type { CaseState } from '../src/domain/state';
import { pruneClosedTasks } from '../src/domain/task-ops';
import { assertVerified } from '../src/domain/unverified';
import { childProtectionWorkflow } from './child-protection';
import { rethrowAsFailure, setCommandHandler } from './failures';
import {
  caseAccessQuery,
  caseCommandUpdate,
  casePolicyQuery,
  caseSnapshotQuery,
  caseTimelineQuery,
  locationReportedSignal,
  pendingEventsQuery,
  raidCompletedSignal,
  stopRaidSignal,
} from './messages';
import { OwnerRuntime } from './owner-runtime';
import { raidOperationWorkflow } from './raid-operation';
import { caseSearchAttributes, protectionSearchAttributes, raidSearchAttributes } from './search-attributes';

export interface CaseWorkflowOptions {
  /** Continue-as-new once history passes this length (tests force it low); the server's
   * own suggestion triggers it regardless. */
  maxHistoryLength?: number;
}

/**
 * `policy` is the deployment's (the gateway's configuration); histories from before carried it in `open`, and
 * older policies lack later sections (completePolicy fills them in).
 */
export type CaseWorkflowInput =
  | { kind: 'open'; open: unknown; policy?: RecordedPolicy; options?: CaseWorkflowOptions }
  | { kind: 'resume'; state: CaseState; options?: CaseWorkflowOptions };

export interface CaseWorkflowResult {
  caseId: string;
  stage: string;
  events: number;
}

/**
 * Where a changed rule would issue other commands than a recorded history holds, the domain asks; a replay
 * of a history from before the change answers no (see src/domain/rule-changes.ts).
 */
const rules: Rules = (change) => patched(change);

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  const state = initialState(input);
  const runtime = new OwnerRuntime(state, (deadline, now) => onCaseDeadline(state, deadline, now, rules));
  const finished = () => isFinal(state.stage);

  // Message-handling API
  for (const name of CASE_COMMAND_NAMES) {
    setCommandHandler(caseCommandUpdate(name), {
      validate: (cmd) => validateCaseCommand(state, name, cmd, Date.now()),
      execute: (cmd) => {
        const outcome = executeCaseCommand(state, name, cmd, Date.now(), rules);
        runtime.stateChanged();
        return performEffects(outcome);
      },
    });
  }
  runtime.handleTaskCommands();
  setHandler(caseSnapshotQuery, () => caseSnapshot(state, Date.now()));
  setHandler(caseTimelineQuery, () => state.timeline);
  setHandler(casePolicyQuery, () => state.policy);
  setHandler(caseAccessQuery, () => ({
    caseId: state.caseId,
    restrictedAgencies: state.restrictedAgencies,
    clearedStaff: state.clearedStaff,
    leadProsecutor: state.leadProsecutor,
  }));
  setHandler(pendingEventsQuery, () => state.outbox.length);
  // A raid that has heard from every location says so. The case decides from its own record of the
  // reports, never from the message, so a forged or malformed signal changes nothing.
  setHandler(raidCompletedSignal, (signal: unknown) => {
    const raidRef = (signal as { raidRef?: unknown } | null)?.raidRef;
    if (typeof raidRef !== 'string' || !onRaidCompleted(state, raidRef, Date.now())) {
      log.warn('raidCompleted ignored: not a raid of this case whose every location reported');
      return;
    }
    runtime.stateChanged();
  });

  // Main workflow logic
  let closing = false;
  const publishing = runtime.publishLoop(() => closing);
  const continueAsNewDue = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.options?.maxHistoryLength !== undefined && workflowInfo().historyLength > input.options.maxHistoryLength);

  await runtime.deadlineLoop(
    () => finished() || continueAsNewDue(),
    () => runtime.syncSearchAttributes(caseSearchAttributes(caseSearchFacts(state))),
  );

  if (!finished()) {
    // Long-lived case: start afresh with the state as plain JSON once every handler is done and no
    // publish is in flight (unpublished events travel in the outbox).
    runtime.pausePublishing();
    await condition(() => allHandlersFinished() && runtime.idle);
    pruneClosedTasks(state);
    log.info('case continues as new', { caseId: state.caseId, historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof caseWorkflow>({ kind: 'resume', state, options: input.options });
  }

  runtime.syncSearchAttributes(caseSearchAttributes(caseSearchFacts(state)));
  await condition(allHandlersFinished);
  closing = true;
  await publishing;
  return { caseId: state.caseId, stage: state.stage, events: state.counters.event };

  /** The command's effects, in order; then its result goes back to the caller. */
  async function performEffects(outcome: Outcome): Promise<Record<string, unknown>> {
    for (const effect of outcome.effects ?? []) await perform(effect);
    return outcome.result;
  }

  async function perform(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'start-raid':
        await startChild(raidOperationWorkflow, {
          workflowId: effect.raid.workflowId,
          args: [effect.raid],
          // The raid reports back by signal, so it must survive this run's continue-as-new.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: raidSearchAttributes(state.caseId),
        });
        return;
      case 'start-protection':
        await startChild(childProtectionWorkflow, {
          workflowId: effect.protection.workflowId,
          args: [effect.protection],
          // The care of a rescued minor outlives the criminal case.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: protectionSearchAttributes(state.caseId, state.jurisdiction),
        });
        return;
      case 'report-to-raid':
        await getExternalWorkflowHandle(effect.workflowId).signal(locationReportedSignal, {
          locationRef: effect.locationRef,
        });
        return;
      case 'stop-raid':
        try {
          await getExternalWorkflowHandle(effect.workflowId).signal(stopRaidSignal, { reason: 'case-over' });
        } catch (err) {
          // Already finished on its own: nothing to stop.
          log.info('raid already finished', { workflowId: effect.workflowId, error: String(err) });
        }
        return;
      default: {
        const _exhaustive: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
}

/** A new case from its (re-validated) open input, or the state carried over by continue-as-new. */
function initialState(input: CaseWorkflowInput): CaseState {
  assertVerified(input);
  if (input.kind === 'resume') return upgradeCaseState(input.state);
  try {
    return openCaseState(parseOpenCase(input.open), Date.now(), input.policy);
  } catch (err) {
    return rethrowAsFailure(err);
  }
}
