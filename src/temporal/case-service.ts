/**
 * Cases through Temporal: open a case, send any command, claim and complete tasks, query status and
 * timeline, list cases by search attribute. Only the gateway (src/gateway), the workers and admin
 * tooling use it: it holds Temporal access and the codec keys, and it takes the acting identity as
 * given, so whoever calls it must have verified that identity first. Agencies use the gateway's API
 * (src/client) instead.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../config';
import { Actor } from '../domain/agencies';
import { OpenCaseInput } from '../domain/case';
import {
  caseSearchFacts,
  caseWorkflowId,
  openCaseState,
  protectionWorkflowId,
  type CaseSnapshot,
} from '../domain/case-state';
import { caseSearchAttributes } from '../../workflows/search-attributes';
import { CASE_COMMANDS, isCaseCommand } from '../domain/commands';
import { CommandRejected, type RejectionCode } from '../domain/errors';
import { CommandId, commandFingerprint, updateIdFor } from '../domain/idempotency';
import { checkAllowed, OPEN_CASE, type CaseCommandName } from '../domain/permissions';
import { resolvePolicy, type DeadlinePolicy } from '../domain/policy';
import type { TimelineEntry } from '../domain/state';
import { TASK_COMMANDS, type TaskCommandName } from '../domain/task-commands';
import { ownerOfTask, type HumanTask } from '../domain/tasks';
import type { AccessFacts } from '../domain/access';
import {
  caseAccessQuery,
  caseCommandUpdate,
  casePolicyQuery,
  caseSnapshotQuery,
  caseTimelineQuery,
  protectionSnapshotQuery,
  taskCommandUpdate,
  type ProtectionSnapshot,
} from '../../workflows/messages';
import type { caseWorkflow, CaseWorkflowOptions } from '../../workflows/case';
import { CaseIdKey, CasePriorityKey, CaseStageKey, JurisdictionKey } from './search-attributes';
import { CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../client/errors';

export interface OpenResult {
  caseId: string;
  workflowId: string;
  created: boolean;
  runId?: string;
  /** When not created because the case already ended: the stage it ended in (a case id is never reused). */
  endedAs?: string;
}

export interface CaseListItem {
  caseId: string;
  stage?: string;
  jurisdiction?: string;
  priority?: string;
  status: string;
  startTime: string;
}

export interface ListFilter {
  stage?: string;
  agency?: string;
  jurisdiction?: string;
  limit?: number;
}

/** Validates with zod; a failure names the field and the rule and raises InvalidInputError. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [what, ...issue.path.map(String)].join('.');
  throw new InvalidInputError(`${field}: ${issue.message}`);
}

export interface CommandOptions {
  /** The caller's command id: a retry with the same id returns the first result (one is generated if absent). */
  commandId?: string;
}

export class CaseService {
  constructor(
    readonly client: Client,
    private readonly config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>,
    /** The policy new cases run under (deadlines, vocabulary): the deployment's (CASE_POLICY_FILE), never a caller's. */
    readonly policy: DeadlinePolicy = resolvePolicy(),
  ) {}

  /** Opens a case. Idempotent: a second open of the same case id starts nothing and says so. */
  async open(actor: unknown, input: unknown, options?: CaseWorkflowOptions): Promise<OpenResult> {
    const by = parseInput(Actor, actor, 'actor');
    try {
      checkAllowed('openCase', OPEN_CASE, by);
    } catch (err) {
      throw translate(err, 'openCase');
    }
    const open = parseInput(OpenCaseInput, input, 'case');
    const workflowId = caseWorkflowId(open.caseId);
    try {
      const handle = await this.client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [{ kind: 'open', open, policy: this.policy, ...(options ? { options } : {}) }],
        // One workflow per case id, ever: a closed case cannot be opened again under the same id.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        // The same facts the workflow upserts as the case moves on (one definition of what search shows).
        typedSearchAttributes: caseSearchAttributes(caseSearchFacts(openCaseState(open, Date.now(), this.policy))),
      });
      return { caseId: open.caseId, workflowId, created: true, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // One workflow per case id, ever: a case that ended is not opened again, and the caller is told so.
        const ended = await this.endedStage(open.caseId);
        return { caseId: open.caseId, workflowId, created: false, ...(ended ? { endedAs: ended } : {}) };
      }
      throw err;
    }
  }

  /** Sends an agency command to a case, as `actor`. A retry with the same command id returns the first result. */
  async command(
    caseId: string,
    name: string,
    actor: unknown,
    args: unknown = {},
    opts: CommandOptions = {},
  ): Promise<Record<string, unknown>> {
    if (!isCaseCommand(name)) throw new InvalidInputError(`command: unknown command ${name} (see: cases commands)`);
    const by = parseInput(Actor, actor, 'actor');
    const parsedArgs = parseInput(CASE_COMMANDS[name].args, args, 'args');
    const commandId = parseInput(CommandId, opts.commandId ?? randomUUID(), 'commandId');
    const handle = this.client.workflow.getHandle(caseWorkflowId(caseId));
    try {
      return await handle.executeUpdate(caseCommandUpdate(name as CaseCommandName), {
        args: [{ actor: by, args: parsedArgs, commandId }],
        updateId: updateIdFor(commandId, commandFingerprint(name, by, parsedArgs)),
      });
    } catch (err) {
      // A case that ended (CLOSED, ARCHIVED) has no running workflow to take commands: say that, not "no case".
      if (err instanceof WorkflowNotFoundError) {
        const ended = await this.endedStage(caseId);
        if (ended)
          throw new CommandRefusedError(
            'WRONG_STAGE',
            `${name}: case ${caseId} is ${ended}: it takes no more commands`,
          );
      }
      throw translate(err, caseId);
    }
  }

  /** The stage a case ended in (CLOSED, ARCHIVED...) when its workflow exists and has finished; else undefined. */
  private async endedStage(caseId: string): Promise<string | undefined> {
    try {
      const d = await this.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
      if (d.status.name === 'RUNNING') return undefined;
      return d.typedSearchAttributes.get(CaseStageKey) ?? d.status.name;
    } catch {
      return undefined;
    }
  }

  /** Claims or completes a task, as `actor`; the task id names the workflow that owns it. */
  async task(
    name: TaskCommandName,
    taskId: string,
    actor: unknown,
    args: Record<string, unknown> = {},
    opts: CommandOptions = {},
  ): Promise<HumanTask> {
    const by = parseInput(Actor, actor, 'actor');
    const parsedArgs = parseInput(TASK_COMMANDS[name].args, { ...args, taskId }, 'args');
    const commandId = parseInput(CommandId, opts.commandId ?? randomUUID(), 'commandId');
    const handle = this.client.workflow.getHandle(ownerOfTask(parsedArgs.taskId));
    return this.call(taskId, () =>
      handle.executeUpdate(taskCommandUpdate(name), {
        args: [{ actor: by, args: parsedArgs, commandId }],
        updateId: updateIdFor(commandId, commandFingerprint(name, by, parsedArgs)),
      }),
    );
  }

  async status(caseId: string): Promise<CaseSnapshot> {
    return this.call(caseId, () => this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseSnapshotQuery));
  }

  /** Who may read the case (conflict of interest); the gateway asks before every read. */
  async access(caseId: string): Promise<AccessFacts> {
    return this.call(caseId, () => this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseAccessQuery));
  }

  /** The policy a case runs under (fixed when it opened): its deadlines and vocabulary. */
  async casePolicy(caseId: string): Promise<DeadlinePolicy> {
    return this.call(caseId, () => this.client.workflow.getHandle(caseWorkflowId(caseId)).query(casePolicyQuery));
  }

  async timeline(caseId: string): Promise<TimelineEntry[]> {
    return this.call(caseId, () => this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseTimelineQuery));
  }

  async protection(caseId: string, victimRef: string): Promise<ProtectionSnapshot> {
    const workflowId = protectionWorkflowId(caseId, victimRef);
    return this.call(workflowId, () => this.client.workflow.getHandle(workflowId).query(protectionSnapshotQuery));
  }

  /** Lists cases through the visibility store: search attributes only, never personal data. */
  async list(filter: ListFilter = {}): Promise<CaseListItem[]> {
    const clauses = [`WorkflowType = 'caseWorkflow'`];
    const quote = (field: string, v: string) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new InvalidInputError(`${field}: must be letters, digits, _ or -`);
      return `'${v}'`;
    };
    if (filter.stage) clauses.push(`CaseStage = ${quote('stage', filter.stage)}`);
    if (filter.jurisdiction) clauses.push(`Jurisdiction = ${quote('jurisdiction', filter.jurisdiction)}`);
    if (filter.agency) clauses.push(`OpenTaskAgencies = ${quote('agency', filter.agency)}`);
    const items: CaseListItem[] = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const sa = wf.typedSearchAttributes;
      items.push({
        caseId: sa.get(CaseIdKey) ?? wf.workflowId,
        stage: sa.get(CaseStageKey),
        jurisdiction: sa.get(JurisdictionKey),
        priority: sa.get(CasePriorityKey),
        status: wf.status.name,
        startTime: wf.startTime.toISOString(),
      });
      if (items.length >= (filter.limit ?? 100)) break;
    }
    return items;
  }

  /** Runs a call against a workflow and turns Temporal's errors into the client's. */
  private async call<T>(target: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translate(err, target);
    }
  }
}

function translate(err: unknown, target: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new CaseNotFoundError(`no case ${target}`);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    if (failure.type === 'CommandRejected') {
      const code = (failure.details?.[0] as RejectionCode | undefined) ?? 'UNKNOWN';
      return new CommandRefusedError(code, failure.message);
    }
  }
  if (err instanceof CommandRejected) return new CommandRefusedError(err.code, err.message);
  return err;
}
