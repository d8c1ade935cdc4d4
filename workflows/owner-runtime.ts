/**
 * The machinery every task-owning workflow shares: drain the event outbox through the publish
 * activity (at least once; ids are deterministic so JetStream dedupes), sleep until the next deadline
 * and fire what is due, accept the task commands, and keep search attributes in step. Deadlines are
 * data in state, so they survive continue-as-new.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  CancellationScope,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import { nextDeadlineAt, takeDue } from '../src/domain/deadlines';
import type { Deadline, TaskOwnerState } from '../src/domain/state';
import type { HumanTask } from '../src/domain/tasks';
import { executeTaskCommand, TASK_COMMAND_NAMES, validateTaskCommand } from '../src/domain/task-updates';
import { setCommandHandler } from './failures';
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
/**
 * Runs that started before keep re-arming a timer on every wake: every command used to cancel the timer
 * towards the next deadline and start the same one again (two history events, two timer tasks on the
 * server). Now one timer runs towards the earliest deadline and is replaced only when that changes.
 */
const STEADY_TIMER_PATCH = 'deadline-timer-replaced-only-when-deadline-moves';

/** The timer towards the earliest deadline, while one runs. */
interface ArmedTimer {
  at: number;
  scope: CancellationScope;
}

export class OwnerRuntime<S extends TaskOwnerState> {
  private changes = 0;
  private publishing = false;
  private paused = false;
  private lastSearchAttributes = '';
  private timer: ArmedTimer | undefined;

  constructor(
    readonly state: S,
    private readonly onDeadline: (deadline: Deadline, now: number) => void,
  ) {}

  /** Handlers call this after changing state, so that the loops look again. */
  stateChanged(): void {
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
      // With no deadline and no timer both versions wait alike, so a run asks for the patch (a marker and a
      // search attribute upsert in its history) only once it has a deadline: a case that is only opened
      // never does.
      if (next === undefined && this.timer === undefined) await condition(wake);
      else if (patched(STEADY_TIMER_PATCH)) {
        this.armTimer(next);
        await condition(wake);
      } else await condition(wake, Math.max(1, (next ?? 0) - Date.now()));
    }
    this.armTimer(undefined);
  }

  /** Keeps one timer running towards `at` (none when undefined); its firing wakes the deadline loop. */
  private armTimer(at: number | undefined): void {
    if (this.timer?.at === at) return;
    this.timer?.scope.cancel();
    this.timer = undefined;
    if (at === undefined) return;
    const armed: ArmedTimer = { at, scope: new CancellationScope() };
    this.timer = armed;
    armed.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => {
          if (this.timer === armed) this.timer = undefined;
          this.stateChanged();
        },
        () => undefined, // cancelled: the deadline moved, or the loop ended
      );
  }

  private fireDue(): void {
    for (const deadline of takeDue(this.state, Date.now())) this.onDeadline(deadline, Date.now());
  }

  /** Registers claimTask/completeTask for this owner's tasks; `onCompleted` lets the owner react. */
  handleTaskCommands(onCompleted: (task: HumanTask, now: number) => void = () => undefined): void {
    for (const name of TASK_COMMAND_NAMES) {
      setCommandHandler(taskCommandUpdate(name), {
        validate: (cmd) => validateTaskCommand(this.state, name, cmd),
        execute: (cmd) => {
          const now = Date.now();
          const { task, repeated } = executeTaskCommand(this.state, name, cmd, now);
          if (name === 'completeTask' && !repeated) onCompleted(task, now);
          this.stateChanged();
          return task;
        },
      });
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
