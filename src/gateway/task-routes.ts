/**
 * Staff work: the inbox (the notifier's task projection in KV, read and watched here), claim, unclaim and complete,
 * and a live feed of the caller's task notifications as server-sent events. Every task shown passes the
 * same test as a case read: the caller's agency holds it and the caller is not shut out of its case.
 */
import type { KV } from '@nats-io/kv';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../domain/agencies';
import { TASK_COMMANDS, type TaskCommandName } from '../domain/task-commands';
import { ownerOfTask } from '../domain/tasks';
import { isOpen, listInbox, visibleTo, type InboxEntry } from '../notifier/inbox';
import { parseInput, type CaseService } from '../temporal/case-service';
import { refuseSelfDeclaredActor } from './authenticate';
import type { CaseAccess } from './case-access';
import { actorOf } from './case-routes';
import { GatewayProblem } from './problems';
import { commandIdOf, InboxQuery, TaskBody } from './requests';

export interface TaskRoutesDeps {
  cases: CaseService;
  access: CaseAccess;
  inbox: KV;
  /** Seconds between keep-alive comments on the event stream. */
  heartbeatMs?: number;
}

/** Whether `actor` may see this inbox entry: cleared by name where the task demands it, and not shut out. */
export async function mayView(access: CaseAccess, actor: Actor, entry: InboxEntry): Promise<boolean> {
  if (entry.clearedStaff !== undefined && (!actor.staffId || !visibleTo(entry, actor.staffId))) return false;
  return access.readable(actor, entry.caseId).catch(() => false);
}

export function selectForCaller(
  entries: readonly InboxEntry[],
  actor: Actor,
  q: ReturnType<typeof InboxQuery.parse>,
  now: number,
): InboxEntry[] {
  const within = q.dueWithin ? Number(q.dueWithin.slice(0, -1)) * 3_600_000 : undefined;
  return entries.filter(
    (t) =>
      (q.mine !== 'true' || (actor.staffId !== undefined && t.staffId === actor.staffId)) &&
      (q.unassigned !== 'true' || t.staffId === undefined) &&
      (q.overdue === undefined || Date.parse(t.dueAt) < now === (q.overdue === 'true')) &&
      (within === undefined || Date.parse(t.dueAt) - now <= within) &&
      (q.caseId === undefined || t.caseId === q.caseId) &&
      (q.kind === undefined || t.kind === q.kind),
  );
}

/** The task routes, `/v1/tasks/:taskId/<action>`, and the command each sends. */
export const TASK_ACTIONS = { claim: 'claimTask', unclaim: 'unclaimTask', complete: 'completeTask' } as const;
export type TaskAction = keyof typeof TASK_ACTIONS;

export function registerTaskRoutes(app: FastifyInstance, deps: TaskRoutesDeps): void {
  const { cases, access, inbox } = deps;

  for (const [action, name] of Object.entries(TASK_ACTIONS) as [TaskAction, TaskCommandName][]) {
    app.post<{ Params: { taskId: string } }>(
      `/v1/tasks/:taskId/${action}`,
      {
        schema: {
          summary: TASK_COMMANDS[name].summary,
          tags: ['tasks'],
          headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
        },
      },
      async (request) => {
        refuseSelfDeclaredActor(request.body);
        const body = parseInput(TaskBody, request.body ?? {}, 'body');
        const commandId = commandIdOf(request.headers['idempotency-key'], body);
        const { taskId } = request.params;
        let owner: string;
        try {
          owner = ownerOfTask(taskId);
        } catch {
          throw new GatewayProblem(400, 'INVALID_ARGUMENTS', 'taskId: must look like <workflowId>~T<n>');
        }
        const args = name === 'completeTask' && body.outcome !== undefined ? { outcome: body.outcome } : {};
        const task = await cases.task(name, taskId, actorOf(request), args, { commandId });
        return { taskId, ownerWorkflowId: owner, commandId, task };
      },
    );
  }

  app.get(
    '/v1/inbox',
    { schema: { summary: 'Open tasks of the caller (agency, role, clearance), soonest due first.', tags: ['tasks'] } },
    async (request) => {
      const actor = actorOf(request);
      const q = parseInput(InboxQuery, request.query ?? {}, 'query');
      const now = Date.now();
      const entries = await listInbox(inbox, { agency: actor.agency, now });
      const chosen = selectForCaller(entries, actor, q, now);
      const visible = await Promise.all(chosen.map((t) => mayView(access, actor, t)));
      return chosen.filter((_, i) => visible[i]);
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        summary: 'Server-sent events: the caller\u2019s task notifications as they happen (task, task-closed).',
        tags: ['tasks'],
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const watch = await inbox.watch({ key: `${actor.agency}.>`, include: 'updates' });
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      out.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ agency: actor.agency })}\n\n`);
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
      const close = () => {
        clearInterval(heartbeat);
        watch.stop();
      };
      request.raw.on('close', close);
      void (async () => {
        try {
          for await (const e of watch) {
            if (e.operation !== 'PUT') continue;
            let entry: InboxEntry;
            try {
              entry = e.json<InboxEntry>();
            } catch {
              continue;
            }
            if (!(await mayView(access, actor, entry))) continue;
            const type = isOpen(entry) ? 'task' : 'task-closed';
            out.write(`id: ${e.revision}\nevent: ${type}\ndata: ${JSON.stringify(entry)}\n\n`);
          }
        } catch (err) {
          request.log.warn({ err }, 'event stream ended');
        } finally {
          close();
          out.end();
        }
      })();
    },
  );
}
