/**
 * How the gateway answers when it does not do what was asked: RFC 9457 problem details, one status per
 * kind of refusal, so scripts can branch on the status and people can read the detail. Details name the
 * field and the rule, never echo input, and a case the caller may not know of is "not found", exactly as
 * one that does not exist.
 */
import type { FastifyReply } from 'fastify';
import { CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../client/errors';
import type { RejectionCode } from '../domain/errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The rule's code (WRONG_STAGE, NOT_PERMITTED, ...) or the gateway's own (UNAUTHENTICATED, ...). */
  code: string;
}

/** HTTP status for each refusal code of the case rules. */
export const STATUS_OF: Record<RejectionCode, number> = {
  INVALID_ARGUMENTS: 400,
  NOT_PERMITTED: 403,
  NOT_FOUND: 404,
  WRONG_STAGE: 409,
  CONFLICT: 409,
  PRECONDITION: 422,
  UNKNOWN_REFERENCE: 422,
};

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not authenticated',
  403: 'Not permitted',
  404: 'Not found',
  409: 'Conflict with the state of the case',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Refused by the case rules',
  500: 'Internal error',
  502: 'Upstream unavailable',
  503: 'Unavailable',
};

export class GatewayProblem extends Error {
  override readonly name = 'GatewayProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problem(status: number, code: string, detail: string): Problem {
  return {
    type: `https://case-orchestrator.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  };
}

/** The problem for an error, or undefined when it is unexpected (a 500, logged by the caller). */
export function problemOf(err: unknown): (Problem & { headers?: Record<string, string> }) | undefined {
  if (err instanceof GatewayProblem) return { ...problem(err.status, err.code, err.message), headers: err.headers };
  if (err instanceof CommandRefusedError) {
    const code = err.code === 'UNKNOWN' ? 'PRECONDITION' : err.code;
    return problem(STATUS_OF[code], code, err.message);
  }
  if (err instanceof InvalidInputError) return problem(400, 'INVALID_ARGUMENTS', err.message);
  if (err instanceof CaseNotFoundError) return problem(404, 'NOT_FOUND', err.message);
  return undefined;
}

export function sendProblem(reply: FastifyReply, p: Problem & { headers?: Record<string, string> }): FastifyReply {
  const { headers, ...body } = p;
  for (const [k, v] of Object.entries(headers ?? {})) void reply.header(k, v);
  return reply.code(p.status).type('application/problem+json').send(body);
}
