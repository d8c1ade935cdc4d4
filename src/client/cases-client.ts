/**
 * The typed client agency scripts import (the `cases` CLI is a thin layer over it). It speaks to the
 * gateway over HTTPS with an OIDC access token and holds neither Temporal access nor codec keys. Every
 * command carries a command id (generated when not given, and returned), so a retry after a timeout or a
 * dropped connection returns the first result instead of running the command twice; the client retries
 * such failures itself, a few times, with the same id.
 */
import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../domain/case-state';
import type { CatalogueEntry } from '../domain/catalogue';
import type { StatusView } from '../domain/case-views';
import { REJECTION_CODES, type RejectionCode } from '../domain/errors';
import type { DeadlinePolicy } from '../domain/policy';
import type { TimelineEntry } from '../domain/state';
import type { HumanTask } from '../domain/tasks';
import type { InboxEntry } from '../notifier/inbox';
import type { CaseListItem, OpenResult } from '../temporal/case-service';

export type { CaseListItem, OpenResult };
import type { ProtectionSnapshot } from '../../workflows/messages';
import {
  AccessDeniedError,
  CaseNotFoundError,
  CommandRefusedError,
  InvalidInputError,
  ServiceUnavailableError,
} from './errors';

/** Gives a current access token (client credentials, a signed-in person, or a fixed one). */
export interface TokenSource {
  token(): Promise<string>;
  /** Called after a 401: the next token() must not return the token that was refused. */
  invalidate?(): void;
}

export interface CasesClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8700 (CASES_GATEWAY_URL). */
  gatewayUrl: string;
  tokens: TokenSource;
  /** Attempts for a command whose answer was lost (network error, 502/503/504). Default 3. */
  attempts?: number;
  timeoutMs?: number;
}

export interface CommandResult {
  caseId: string;
  command: string;
  commandId: string;
  result: Record<string, unknown>;
}

export interface TaskResult {
  taskId: string;
  ownerWorkflowId: string;
  commandId: string;
  task: HumanTask;
}

export interface InboxFilter {
  mine?: boolean;
  unassigned?: boolean;
  overdue?: boolean;
  dueWithinHours?: number;
  caseId?: string;
  kind?: string;
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
}

const RETRYABLE = new Set([502, 503, 504]);

export class CasesClient {
  private readonly base: string;

  constructor(private readonly opts: CasesClientOptions) {
    this.base = opts.gatewayUrl.replace(/\/+$/, '');
  }

  /** Opens a case; `created: false` when it was already open (nothing changed). */
  open(input: unknown): Promise<OpenResult> {
    return this.request('POST', '/v1/cases', input, { retry: true });
  }

  /** Sends a command. The command id is generated when absent and comes back in the result. */
  command(caseId: string, name: string, args: unknown = {}, opts: { commandId?: string } = {}): Promise<CommandResult> {
    const commandId = opts.commandId ?? randomUUID();
    return this.request('POST', `/v1/cases/${seg(caseId)}/commands/${seg(name)}`, { args, commandId }, { retry: true });
  }

  task(
    action: 'claim' | 'unclaim' | 'complete',
    taskId: string,
    args: { outcome?: string } = {},
    opts: { commandId?: string } = {},
  ): Promise<TaskResult> {
    const commandId = opts.commandId ?? randomUUID();
    return this.request('POST', `/v1/tasks/${seg(taskId)}/${action}`, { ...args, commandId }, { retry: true });
  }

  status(caseId: string): Promise<StatusView & Partial<CaseSnapshot>> {
    return this.request('GET', `/v1/cases/${seg(caseId)}`);
  }

  timeline(caseId: string): Promise<TimelineEntry[]> {
    return this.request('GET', `/v1/cases/${seg(caseId)}/timeline`);
  }

  protection(caseId: string, victimRef: string): Promise<ProtectionSnapshot> {
    return this.request('GET', `/v1/cases/${seg(caseId)}/protection/${seg(victimRef)}`);
  }

  list(
    filter: { stage?: string; jurisdiction?: string; agency?: string; limit?: number } = {},
  ): Promise<CaseListItem[]> {
    return this.request('GET', `/v1/cases${query(filter)}`);
  }

  inbox(filter: InboxFilter = {}): Promise<InboxEntry[]> {
    const { dueWithinHours, ...rest } = filter;
    return this.request(
      'GET',
      `/v1/inbox${query({ ...rest, ...(dueWithinHours ? { dueWithin: `${dueWithinHours}h` } : {}) })}`,
    );
  }

  /**
   * The policy (deadlines, vocabulary): a case's, fixed when it opened, or without a case id the one new cases
   * open under (public).
   */
  policy(caseId?: string): Promise<DeadlinePolicy> {
    return caseId
      ? this.request('GET', `/v1/cases/${seg(caseId)}/policy`)
      : this.request('GET', '/v1/policy', undefined, { anonymous: true });
  }

  /** The command catalogue (public): who may send what, when, with which arguments. */
  commands(): Promise<CatalogueEntry[]> {
    return this.request('GET', '/v1/commands', undefined, { anonymous: true });
  }

  /**
   * The caller's live task notifications (server-sent events) until `signal` aborts: `task` when a task
   * appears or changes, `task-closed` when it is done or cancelled.
   */
  async events(onEvent: (type: string, entry: InboxEntry) => void, signal: AbortSignal): Promise<void> {
    const res = await this.fetch('GET', '/v1/events', undefined, { signal, accept: 'text/event-stream' });
    if (!res.ok || !res.body) throw await this.failure(res);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data && type !== 'ready') onEvent(type, JSON.parse(data) as InboxEntry);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    opts: { retry?: boolean; anonymous?: boolean } = {},
  ): Promise<T> {
    const attempts = opts.retry ? (this.opts.attempts ?? 3) : 1;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetch(method, path, body, { anonymous: opts.anonymous });
      } catch (err) {
        if (isOwnError(err) || attempt >= attempts) throw unreachable(this.base, err);
        await backoff(attempt);
        continue;
      }
      if (res.status === 401 && !opts.anonymous && !renewed && this.opts.tokens.invalidate) {
        // A token may expire between issue and use: one fresh token, then a refusal stands.
        renewed = true;
        this.opts.tokens.invalidate();
        attempt--;
        continue;
      }
      if (RETRYABLE.has(res.status) && attempt < attempts) {
        await backoff(attempt);
        continue;
      }
      if (res.ok) return (await res.json()) as T;
      throw await this.failure(res);
    }
  }

  private async fetch(
    method: string,
    path: string,
    body: unknown,
    opts: { anonymous?: boolean | undefined; signal?: AbortSignal; accept?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    if (!opts.anonymous) headers.Authorization = `Bearer ${await this.opts.tokens.token()}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: opts.signal ?? AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
  }

  /** The client error for a gateway answer that is not a success. */
  private async failure(res: Response): Promise<Error> {
    let p: Problem = {};
    try {
      p = (await res.json()) as Problem;
    } catch {
      // not a problem document: the status says enough
    }
    const detail = typeof p.detail === 'string' ? p.detail : `the gateway answered ${res.status}`;
    if (res.status === 401)
      return new AccessDeniedError(401, `not signed in or token refused: ${detail} (run: cases login)`);
    if (res.status === 403) return new AccessDeniedError(403, detail);
    if (res.status === 404) return new CaseNotFoundError(detail);
    if (res.status === 400 || res.status === 413 || res.status === 415) return new InvalidInputError(detail);
    if (res.status === 409 || res.status === 422) {
      const code = REJECTION_CODES.includes(p.code as RejectionCode) ? (p.code as RejectionCode) : 'UNKNOWN';
      return new CommandRefusedError(code, detail);
    }
    return new ServiceUnavailableError(`the gateway failed (${res.status}): ${detail}`);
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
}

/** Errors the token source raises (sign in again, provider down): passed on as they are. */
function isOwnError(err: unknown): boolean {
  return err instanceof AccessDeniedError || err instanceof ServiceUnavailableError || err instanceof InvalidInputError;
}

function unreachable(base: string, err: unknown): Error {
  if (isOwnError(err)) return err as Error;
  const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return new ServiceUnavailableError(`cannot reach the gateway at ${base}: ${why}`);
}
