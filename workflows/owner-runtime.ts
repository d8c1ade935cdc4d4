/**
 * The machinery every task-owning workflow shares: drain the event outbox through the publish
 * activity (at least once; ids are deterministic so JetStream dedupes), and sleep until the next
 * deadline, firing what is due. Deadlines are data in state, so they survive continue-as-new.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import { nextDeadlineAt, takeDue } from '../src/domain/deadlines';
import type { Deadline, TaskOwnerState } from '../src/domain/state';
import { executeTaskCommand, validateTaskCommand, type TaskCommandName } from '../src/domain/task-commands';
import type { HumanTask } from '../src/domain/tasks';
import { refuse } from './failures';
import { taskCommandUpdate } from './messages';

// Retried until NATS takes the events: nothing is lost, and a retry within the stream's duplicate
// window is acknowledged as a duplicate rather than delivered twice.
const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' };
const { publishCaseEvents } = proxyActivities<CaseActivities>({ startToCloseTimeout: '30s', retry });
// Publication runs as a local activity: a publish is milliseconds, and a local activity saves the
// server round trips of a task queue (latency) and leaves one marker instead of three events (history).
const local = proxyLocalActivities<CaseActivities>({ startToCloseTimeout: '10s', retry });
/** Runs that started before local publication replay (and go on) with the regular activity. */
const LOCAL_PUBLISH_PATCH = 'publish-events-as-local-activity';

/** Most events one activity call publishes; bounds the activity's input size. */
const PUBLISH_BATCH = 100;

export class OwnerRuntime<S extends TaskOwnerState> {
  private changes = 0;
  private publishing = false;
  private paused = false;
  private lastSearchAttributes = '';

  constructor(
    readonly state: S,
    private readonly onDeadline: (deadline: Deadline, now: number) => void,
  ) {}

  /** Handlers call this after changing state, so the loops look again. */
  touch(): void {
    this.changes += 1;
  }

  get idle(): boolean {
    return !this.publishing;
  }

  /** Stops starting new publish batches (before continue-as-new: a busy case would never be idle). */
  pausePublishing(): void {
    this.paused = true;
  }

  /** Publishes outbox events in order until `finished()` and the outbox is empty. */
  async publishLoop(finished: () => boolean): Promise<void> {
    for (;;) {
      await condition(() => (this.state.outbox.length > 0 && !this.paused) || finished());
      if (this.state.outbox.length === 0 || this.paused) return;
      const batch = this.state.outbox.slice(0, PUBLISH_BATCH);
      this.publishing = true;
      try {
        const publish = patched(LOCAL_PUBLISH_PATCH) ? local.publishCaseEvents : publishCaseEvents;
        await publish({ workflowId: this.state.workflowId, events: batch });
      } finally {
        this.publishing = false;
      }
      this.state.outbox.splice(0, batch.length);
    }
  }

  /** Sleeps towards the next deadline and fires due ones, until `until()` holds. */
  async deadlineLoop(until: () => boolean, afterEachWake: () => void = () => undefined): Promise<void> {
    while (!until()) {
      this.fireDue();
      afterEachWake();
      const seen = this.changes;
      const next = nextDeadlineAt(this.state);
      const wake = () => until() || this.changes !== seen;
      if (next === undefined) await condition(wake);
      else await condition(wake, Math.max(1, next - Date.now()));
    }
  }

  fireDue(): void {
    for (const deadline of takeDue(this.state, Date.now())) this.onDeadline(deadline, Date.now());
  }

  /** Registers claimTask/completeTask for this owner's tasks; `onCompleted` lets the owner react. */
  handleTaskCommands(onCompleted: (task: HumanTask, now: number) => void = () => undefined): void {
    for (const name of ['claimTask', 'completeTask'] as TaskCommandName[]) {
      setHandler(
        taskCommandUpdate(name),
        (cmd) => {
          const now = Date.now();
          const { task, repeated } = executeTaskCommand(this.state, name, cmd, now);
          if (name === 'completeTask' && !repeated) onCompleted(task, now);
          this.touch();
          return task;
        },
        {
          validator: (cmd) => {
            try {
              validateTaskCommand(this.state, name, cmd);
            } catch (err) {
              refuse(err);
            }
          },
        },
      );
    }
  }

  /** Upserts search attributes only when they changed: every upsert is a history event. */
  syncSearchAttributes(pairs: SearchAttributeUpdatePair[]): void {
    const key = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
    if (key === this.lastSearchAttributes) return;
    this.lastSearchAttributes = key;
    upsertSearchAttributes(pairs);
  }
}
