/**
 * Cases through the door: open one, send any command, read status and timeline (each caller's
 * need-to-know view), a minor's protection, and a list by search attribute. Who acts is request.actor,
 * set from the verified token by the app's onRequest hook.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/agencies';
import { statusView, timelineView } from '../domain/case-views';
import { isCaseCommand } from '../domain/commands';
import { parseInput, type CaseService } from '../temporal/case-service';
import { refuseSelfDeclaredActor } from './authenticate';
import type { CaseAccess } from './case-access';
import { GatewayProblem } from './problems';
import { CommandBody, commandIdOf, ListQuery } from './requests';

export interface CaseRoutesDeps {
  cases: CaseService;
  access: CaseAccess;
}

const CASE_ID = { type: 'string', description: 'the case id, e.g. PE-LIM-2026-0042' };

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new GatewayProblem(401, 'UNAUTHENTICATED', 'a valid access token is required');
  return request.actor;
}

/**
 * Only a minor taken into protective custody has a protection; anything else is answered in plain words (not
 * as a missing workflow). CHILD_PROTECTION, which never learns of adult victims, hears that there is no minor
 * of that reference, whatever the reference is.
 */
async function checkProtected(cases: CaseService, actor: Actor, caseId: string, victimRef: string): Promise<void> {
  const victim = (await cases.status(caseId)).victims.find((v) => v.ref === victimRef);
  const seesAdults = actor.agency !== 'CHILD_PROTECTION';
  if (!victim || (!victim.minor && !seesAdults)) {
    const named = /^V-\d{1,5}$/.test(victimRef) ? ` ${victimRef}` : ' of that reference';
    throw new GatewayProblem(404, 'NOT_FOUND', `protection: no minor${named} in case ${caseId}`);
  }
  if (!victim.minor) {
    throw new GatewayProblem(
      404,
      'NOT_FOUND',
      `protection: victim ${victim.ref} is not a minor: only a rescued minor has a protection (childProtectionWorkflow)`,
    );
  }
  if (!victim.inProtectiveCustody) {
    throw new GatewayProblem(
      404,
      'NOT_FOUND',
      `protection: minor ${victim.ref} is not in protective custody: rescueMinor starts the protection`,
    );
  }
}

export function registerCaseRoutes(app: FastifyInstance, { cases, access }: CaseRoutesDeps): void {
  app.post(
    '/v1/cases',
    {
      schema: {
        summary: 'Open a case (PROSECUTION). Idempotent per case id.',
        tags: ['cases'],
        body: { $ref: 'openCase#' },
      },
    },
    async (request, reply) => {
      refuseSelfDeclaredActor(request.body);
      const result = await cases.open(actorOf(request), request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.post<{ Params: { caseId: string; name: string } }>(
    '/v1/cases/:caseId/commands/:name',
    {
      schema: {
        summary:
          'Send a command to a case. Retry with the same Idempotency-Key (or commandId) to get the first result.',
        tags: ['cases'],
        params: { type: 'object', properties: { caseId: CASE_ID, name: { type: 'string' } } },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
      },
    },
    async (request) => {
      const { caseId, name } = request.params;
      if (!isCaseCommand(name)) {
        throw new GatewayProblem(404, 'UNKNOWN_COMMAND', `command: unknown command ${name} (see GET /v1/commands)`);
      }
      refuseSelfDeclaredActor(request.body);
      const body = parseInput(CommandBody, request.body ?? {}, 'body');
      const commandId = commandIdOf(request.headers['idempotency-key'], body);
      const result = await cases.command(caseId, name, actorOf(request), body.args ?? {}, { commandId });
      // A command may restrict an agency or clear staff: reads must see that at once.
      access.forget(caseId);
      return { caseId, command: name, commandId, result };
    },
  );

  app.get<{ Params: { caseId: string } }>(
    '/v1/cases/:caseId',
    { schema: { summary: "The case's status, as the caller's agency may see it.", tags: ['cases'] } },
    async (request) => {
      const actor = actorOf(request);
      await access.check(actor, request.params.caseId);
      return statusView(await cases.status(request.params.caseId), actor);
    },
  );

  app.get<{ Params: { caseId: string } }>(
    '/v1/cases/:caseId/timeline',
    { schema: { summary: 'What happened, by whom (ids), when: the caller\u2019s view.', tags: ['cases'] } },
    async (request) => {
      const actor = actorOf(request);
      await access.check(actor, request.params.caseId);
      return timelineView(await cases.timeline(request.params.caseId), actor);
    },
  );

  app.get<{ Params: { caseId: string } }>(
    '/v1/cases/:caseId/policy',
    {
      schema: {
        summary: 'The policy the case runs under (deadlines, vocabulary), fixed when it opened.',
        tags: ['cases'],
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await access.check(actor, request.params.caseId);
      return cases.casePolicy(request.params.caseId);
    },
  );

  app.get<{ Params: { caseId: string; victimRef: string } }>(
    '/v1/cases/:caseId/protection/:victimRef',
    {
      schema: {
        summary: "A rescued minor's protection steps (CHILD_PROTECTION, PROSECUTION, OVERSIGHT).",
        tags: ['cases'],
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!['CHILD_PROTECTION', 'PROSECUTION', 'OVERSIGHT'].includes(actor.agency)) {
        throw new GatewayProblem(
          403,
          'NOT_PERMITTED',
          'protection: only CHILD_PROTECTION, PROSECUTION and OVERSIGHT may read it',
        );
      }
      const { caseId, victimRef } = request.params;
      await access.check(actor, caseId);
      await checkProtected(cases, actor, caseId, victimRef);
      return cases.protection(caseId, victimRef);
    },
  );

  app.get(
    '/v1/cases',
    {
      schema: {
        summary: 'Cases by stage, jurisdiction or agency with open tasks (PROSECUTION, OVERSIGHT).',
        tags: ['cases'],
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.agency !== 'PROSECUTION' && actor.agency !== 'OVERSIGHT') {
        throw new GatewayProblem(403, 'NOT_PERMITTED', 'list: only PROSECUTION and OVERSIGHT may list cases');
      }
      const q = parseInput(ListQuery, request.query ?? {}, 'query');
      const items = await cases.list(q);
      const readable = await Promise.all(items.map((i) => access.readable(actor, i.caseId).catch(() => false)));
      return items.filter((_, i) => readable[i]);
    },
  );
}
