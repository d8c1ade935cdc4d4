/** Emitting an event = appending it to the owner's outbox with the next sequence number. The
 * workflow drains the outbox through the publish activity; entries leave only once published. */
import { clearancesOf } from './access';
import type { Actor, Agency } from './actors';
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
    ...(state.restrictedAgencies.length > 0 ? { cleared: clearancesOf(state) } : {}),
    ...(routing.to ? { to: routing.to } : {}),
    ...(routing.alsoTo?.length ? { alsoTo: routing.alsoTo } : {}),
  };
  state.outbox.push(event);
  return event;
}

/** Who caused the events from `firstSeq` on (a command's): ids only, for the AUDIT copy. */
export function attribute(outbox: PendingEvent[], firstSeq: number, actor: Actor): void {
  const by = {
    agency: actor.agency,
    ...(actor.staffId ? { staffId: actor.staffId } : {}),
    roles: actor.roles,
    ...(actor.subject ? { subject: actor.subject } : {}),
    ...(actor.clientId ? { clientId: actor.clientId } : {}),
  };
  for (const event of outbox) if (event.seq >= firstSeq) event.by = by;
}
