/**
 * The web app reads and acts through the gateway's own API, with the signed-in person's access token: every page
 * gets exactly what the API gives that person (token verification, need-to-know views, the inbox's access and
 * clearance rules, command validation and its messages), with no second copy of those rules to drift apart. The
 * calls go to the gateway's own listening socket on loopback (a plain HTTP request, like any client's).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ProblemAnswer } from './refusals';

export type ApiResult<T> = { ok: true; status: number; value: T } | { ok: false; problem: ProblemAnswer };

const TIMEOUT_MS = 30_000;

/** Where this process's gateway listens, as a loopback URL (a wildcard address is reached on loopback). */
export function selfUrl(gateway: FastifyInstance): string {
  const address = gateway.server.address() as AddressInfo | string | null;
  if (!address || typeof address === 'string') throw new Error('the gateway is not listening on a TCP port');
  const host =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  return `http://${host}:${address.port}`;
}

export class GatewayApi {
  constructor(private readonly base: () => string) {}

  async call<T>(
    token: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult<T>> {
    const res = await fetch(`${this.base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return { ok: true, status: res.status, value: json as T };
    const p = (json ?? {}) as Partial<ProblemAnswer>;
    return {
      ok: false,
      problem: {
        status: res.status,
        code: typeof p.code === 'string' ? p.code : 'INTERNAL',
        detail: typeof p.detail === 'string' ? p.detail : `the gateway answered ${res.status}`,
      },
    };
  }
}

/** A path segment (case ids and task ids are validated by the API; this only keeps them one segment). */
export const seg = (value: string): string => encodeURIComponent(value);
