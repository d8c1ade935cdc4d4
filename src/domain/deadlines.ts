/** Durable timers as data: a sorted list of deadlines that the workflow sleeps towards. */
import type { Deadline, DeadlineKind, TaskOwnerState } from './state';

export function schedule(state: Pick<TaskOwnerState, 'deadlines'>, kind: DeadlineKind, ref: string, at: number): void {
  state.deadlines = state.deadlines.filter((d) => !(d.kind === kind && d.ref === ref));
  state.deadlines.push({ id: `${kind}:${ref}`, kind, ref, at });
  state.deadlines.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

export function unschedule(state: Pick<TaskOwnerState, 'deadlines'>, ref: string, kinds?: DeadlineKind[]): void {
  state.deadlines = state.deadlines.filter((d) => !(d.ref === ref && (!kinds || kinds.includes(d.kind))));
}

export function nextDeadlineAt(state: Pick<TaskOwnerState, 'deadlines'>): number | undefined {
  return state.deadlines[0]?.at;
}

/** Removes and returns the deadlines due at `now`, earliest first. */
export function takeDue(state: Pick<TaskOwnerState, 'deadlines'>, now: number): Deadline[] {
  const due = state.deadlines.filter((d) => d.at <= now);
  state.deadlines = state.deadlines.filter((d) => d.at > now);
  return due;
}
