/**
 * The timeline is the case's legal record: every command, and what the system did itself (warnings,
 * expiries, reminders, escalations, a raid completing, a judgment becoming final), marked `source: 'system'`.
 * System entries are written from the events those deadlines and signals emit, so the two never disagree.
 */
import type { EventType, PendingEvent } from './events';
import type { CaseState } from './state';

/** Events that only say a task came or went: the task's own deadlines (reminders, escalations) are recorded. */
const NOT_RECORDED: ReadonlySet<EventType> = new Set([
  'task-created',
  'task-claimed',
  'task-unclaimed',
  'task-completed',
  'task-cancelled',
]);

/** The reference an event is about: the arrest, warrant, defendant, raid, or the task's own reference. */
function refOf(event: PendingEvent): string | undefined {
  const d = event.data;
  for (const key of ['arrestRef', 'warrantRef', 'suspectRef', 'raidRef']) {
    if (typeof d[key] === 'string') return d[key];
  }
  const task = d.task as { ref?: unknown; id?: unknown } | undefined;
  if (typeof task?.ref === 'string') return task.ref;
  return typeof task?.id === 'string' ? task.id : undefined;
}

/** Records on the timeline the events the system emitted from sequence `firstSeq` on (a deadline, a signal). */
export function recordSystemEvents(state: CaseState, firstSeq: number, now: number): void {
  const at = new Date(now).toISOString();
  for (const event of state.outbox) {
    if (event.seq < firstSeq || NOT_RECORDED.has(event.type)) continue;
    const ref = refOf(event);
    state.timeline.push({
      at,
      type: event.type,
      source: 'system',
      ...(ref ? { ref } : {}),
      ...(event.to ? { for: [...event.to] } : {}),
    });
  }
}
