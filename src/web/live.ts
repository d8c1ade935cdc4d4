/**
 * The live inbox: server-sent events of the person's inbox rows, rendered here in their language, from the
 * notifier's task inbox (a KV watch on their agency's keys, as the API's own /v1/events does). Each connection
 * starts with the full list as GET /v1/inbox gives it (`sync`), so a browser that reconnects after a gap is whole
 * again whatever it missed; then each change comes as `row` (a task that now belongs in the list, in place) or
 * `remove` (one that left it). A change is shown only when the API would show it: the same filters
 * (selectForCaller), open tasks only, the same access and clearance test (mayView). `remove` is sent only for rows
 * this connection showed, so an id of a case the person may not know of is never sent at all.
 *
 * The feed ends when the session does (sign-out, idle timeout): it is checked at every heartbeat. The feed itself
 * does not count as activity.
 */
import type { KV } from '@nats-io/kv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/agencies';
import type { CaseAccess } from '../gateway/case-access';
import { InboxQuery } from '../gateway/requests';
import { mayView, selectForCaller } from '../gateway/task-routes';
import { isOpen, type InboxEntry } from '../notifier/inbox';
import type { CaseFacts, CaseFactsCache } from './case-facts';
import type { Html } from './html';

export interface LiveRow {
  id: string;
  due: string;
  label: string;
  html: string;
}

export interface LiveInboxOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  inbox: KV;
  access: CaseAccess;
  facts: CaseFactsCache;
  actor: Actor;
  filters: Record<string, string>;
  /** The rows of the inbox right now, as the API gives them (GET /v1/inbox with the filters). */
  initial: () => Promise<InboxEntry[]>;
  render: (entry: InboxEntry, facts: CaseFacts | undefined) => { label: string; html: Html };
  /** False once the session is over. */
  alive: () => boolean;
  heartbeatMs: number;
}

/** A Last-Event-ID the browser sends back on reconnection: accepted only as a KV revision number. */
export function lastEventId(header: unknown): number | undefined {
  return typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

export async function streamLiveInbox(o: LiveInboxOptions): Promise<void> {
  const query = InboxQuery.parse(o.filters);
  // Nothing is replayed from the browser's last id: every connection starts from the full list (sync).
  lastEventId(o.request.headers['last-event-id']);
  const watch = await o.inbox.watch({ key: `${o.actor.agency}.>`, include: 'updates' });
  const shown = new Set<string>();
  const row = async (entry: InboxEntry): Promise<LiveRow> => {
    const facts = await o.facts
      .get(o.actor, entry.caseId, entry.kind === 'decide-warrant' ? entry.ref : undefined)
      .catch(() => undefined);
    const r = o.render(entry, facts);
    return { id: entry.id, due: entry.dueAt, label: r.label, html: r.html.value };
  };

  let initial: InboxEntry[];
  try {
    initial = await o.initial();
  } catch (err) {
    watch.stop();
    throw err;
  }
  o.reply.hijack();
  const out = o.reply.raw;
  out.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  let open = true;
  const send = (event: string, data: unknown, id?: number) => {
    if (open) out.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    watch.stop();
    out.end();
  };
  const heartbeat = setInterval(() => {
    if (!o.alive()) {
      send('ended', {});
      close();
      return;
    }
    out.write(': keep-alive\n\n');
  }, o.heartbeatMs);
  o.request.raw.on('close', close);

  out.write('retry: 3000\n\n');
  const rows = await Promise.all(initial.map(row));
  rows.forEach((r) => shown.add(r.id));
  send('sync', { rows });

  try {
    for await (const e of watch) {
      if (!open) break;
      let entry: InboxEntry | undefined;
      if (e.operation === 'PUT') {
        try {
          entry = e.json<InboxEntry>();
        } catch {
          entry = undefined;
        }
      }
      if (!entry || typeof entry.id !== 'string') continue;
      const now = Date.now();
      const belongs =
        isOpen(entry) &&
        selectForCaller([entry], o.actor, query, now).length === 1 &&
        (await mayView(o.access, o.actor, entry));
      if (belongs) {
        const r = await row(entry);
        shown.add(entry.id);
        send('row', r, e.revision);
      } else if (shown.has(entry.id)) {
        shown.delete(entry.id);
        const facts = await o.facts.get(o.actor, entry.caseId).catch(() => undefined);
        send('remove', { id: entry.id, label: o.render(entry, facts).label }, e.revision);
      }
    }
  } catch (err) {
    o.request.log.warn({ err }, 'live inbox ended');
  } finally {
    close();
  }
}
