/** Emitting an event = appending it to the owner's outbox with the next sequence number. The
 * workflow drains the outbox through the publish activity; entries leave only once published. */
import type { Agency } from './agencies';
import type { EventType, PendingEvent } from './events';
import type { TaskOwnerState } from './state';

export function emit(
  state: TaskOwnerState,
  type: EventType,
  data: Record<string, unknown>,
  now: number,
  routing: { to?: Agency[]; alsoTo?: Agency[] } = {},
): PendingEvent {
  state.counters.event += 1;
  const event: PendingEvent = {
    seq: state.counters.event,
    type,
    at: new Date(now).toISOString(),
    caseId: state.caseId,
    data,
    restricted: [...state.restrictedAgencies],
    ...(routing.to ? { to: routing.to } : {}),
    ...(routing.alsoTo?.length ? { alsoTo: routing.alsoTo } : {}),
  };
  state.outbox.push(event);
  return event;
}
