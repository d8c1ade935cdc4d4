/**
 * The task inbox: a projection of task-* events into KV, one entry per (agency, task), so staff can
 * list what they have to do without asking Temporal. Events can arrive out of order (a nak'ed message
 * is redelivered after later ones), so an entry only moves forward: a closed task stays closed, and an
 * older event never overwrites a newer one.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Agency } from '../domain/agencies';
import type { CloudEvent } from '../domain/envelope';
import { isOpen, type HumanTask } from '../domain/tasks';
import { readAll } from '../nats/buckets';

export interface InboxEntry extends HumanTask {
  lastEvent: { id: string; type: string; time: string };
  /**
   * Set when the assignee agency is restricted on the case (conflict of interest): only these staff members may
   * see or act on the task. Whoever shows the inbox must hide the entry from everyone else, and must not show the
   * list itself, since it reveals the restriction (see visibleTo).
   */
  clearedStaff?: string[];
}

export interface InboxQuery {
  agency: Agency;
  /** Only tasks assigned to or claimed by this staff member. */
  staffId?: string;
  /** true: only overdue tasks; false: only tasks not yet due; unset: both. */
  overdue?: boolean;
  /** Only what this staff member may see: entries of restricted cases only if cleared by name. */
  viewer?: string;
  now: Date | number;
}

/** KV keys allow `[-/=.\w]`; task ids contain `~`, which never appears otherwise, so `=` keeps it reversible. */
export function inboxKey(agency: Agency, taskId: string): string {
  return `${agency}.${taskId.replace(/~/g, '=')}`;
}

/** Open or claimed: the domain's one rule (re-exported for the inbox's readers). */
export { isOpen };

/** Whether `next` (from event `nextEvent`) should replace `current` in the inbox. */
export function supersedes(current: InboxEntry, nextTask: HumanTask, nextEvent: InboxEntry['lastEvent']): boolean {
  if (current.lastEvent.id === nextEvent.id) return false;
  if (!isOpen(current) && isOpen(nextTask)) return false;
  // Events of one task come from one workflow, whose ids end in an increasing sequence number.
  const a = eventSeq(current.lastEvent.id);
  const b = eventSeq(nextEvent.id);
  if (a !== undefined && b !== undefined && sameSource(current.lastEvent.id, nextEvent.id)) return b > a;
  return Date.parse(nextEvent.time) >= Date.parse(current.lastEvent.time);
}

export type InboxUpdate = 'applied' | 'stale';

/** Whether a staff member may see an entry: every entry of the agency, except restricted ones unless cleared. */
export function visibleTo(entry: Pick<InboxEntry, 'clearedStaff'>, staffId: string): boolean {
  return entry.clearedStaff === undefined || entry.clearedStaff.includes(staffId);
}

/** Upserts the agency's entry for the event's task, with compare-and-set so concurrent notifiers converge. */
export async function applyTaskEvent(
  kv: KV,
  agency: Agency,
  eventType: string,
  event: Pick<CloudEvent, 'id' | 'time'>,
  task: HumanTask,
  extra: { clearedStaff?: string[] } = {},
): Promise<InboxUpdate> {
  const key = inboxKey(agency, task.id);
  const lastEvent = { id: event.id, type: eventType, time: event.time };
  const entry: InboxEntry = { ...task, lastEvent, ...(extra.clearedStaff ? { clearedStaff: extra.clearedStaff } : {}) };
  const value = JSON.stringify(entry);
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get(key);
    const live = entry && entry.operation === 'PUT' ? entry : null;
    if (live && !supersedes(live.json<InboxEntry>(), task, lastEvent)) return 'stale';
    try {
      if (live) await kv.update(key, value, live.revision);
      else await kv.create(key, value);
      return 'applied';
    } catch (err) {
      // Lost a race with another writer: read again and decide again.
      if (attempt === 4 || !isWrongLastSequence(err)) throw err;
    }
  }
  return 'stale';
}

/** The pure part of listInbox: open and claimed tasks matching the query, soonest due first. */
export function selectInbox(entries: readonly InboxEntry[], q: InboxQuery): InboxEntry[] {
  const now = typeof q.now === 'number' ? q.now : q.now.getTime();
  return entries
    .filter((t) => isOpen(t))
    .filter((t) => q.staffId === undefined || t.staffId === q.staffId)
    .filter((t) => q.viewer === undefined || visibleTo(t, q.viewer))
    .filter((t) => q.overdue === undefined || Date.parse(t.dueAt) < now === q.overdue)
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id));
}

export async function listInbox(kv: KV, q: InboxQuery): Promise<InboxEntry[]> {
  const entries = await readAll<InboxEntry>(kv, `${q.agency}.>`);
  return selectInbox(
    entries.map((e) => e.value),
    q,
  );
}

function eventSeq(id: string): number | undefined {
  const tail = id.slice(id.lastIndexOf('.') + 1);
  return /^\d+$/.test(tail) ? Number(tail) : undefined;
}

function sameSource(a: string, b: string): boolean {
  return a.slice(0, a.lastIndexOf('.')) === b.slice(0, b.lastIndexOf('.'));
}

function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
