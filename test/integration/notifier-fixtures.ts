/**
 * Shared pieces of the NATS and notifier integration tests: case events built the way the workflows
 * build them (src/domain/views.ts), a local webhook receiver that checks signatures, and polling.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agency } from '../../src/domain/agencies';
import type { AgencyMessage } from '../../src/domain/envelope';
import type { EventType, PendingEvent } from '../../src/domain/events';
import { taskId, type HumanTask } from '../../src/domain/tasks';
import { toAgencyMessages } from '../../src/domain/views';
import { createLogger } from '../../src/logging';
import { verifyWebhookSignature } from '../../src/notifier/webhook';

export const silentLogger = () => createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const CASE_ID = 'PE-LIM-2026-0042';

export function workflowIdFor(caseId = CASE_ID): string {
  return `case-${caseId}`;
}

export function humanTask(n: number, overrides: Partial<HumanTask> = {}, workflowId = workflowIdFor()): HumanTask {
  return {
    id: taskId(workflowId, n),
    caseId: CASE_ID,
    ownerWorkflowId: workflowId,
    kind: 'approve-warrant',
    title: `Approve warrant W-${n}`,
    ref: `W-${n}`,
    assignee: 'JUDICIARY',
    createdAt: '2026-03-01T08:00:00.000Z',
    dueAt: '2026-03-02T08:00:00.000Z',
    remindAt: [],
    escalateTo: ['PROSECUTION'],
    escalated: false,
    status: 'open',
    ...overrides,
  };
}

/** The agency messages of one event, as the publish activity receives them. */
export function eventMessages(
  seq: number,
  type: EventType,
  data: Record<string, unknown>,
  opts: { to?: Agency[]; workflowId?: string; at?: string } = {},
): AgencyMessage[] {
  const event: PendingEvent = {
    seq,
    type,
    at: opts.at ?? new Date(Date.UTC(2026, 2, 1, 8, 0, seq)).toISOString(),
    caseId: CASE_ID,
    data,
    restricted: [],
    ...(opts.to ? { to: opts.to } : {}),
  };
  return toAgencyMessages(opts.workflowId ?? workflowIdFor(), event);
}

export function taskMessages(seq: number, type: EventType, task: HumanTask): AgencyMessage[] {
  const to = type === 'task-escalated' ? [task.assignee, ...task.escalateTo] : [task.assignee];
  return eventMessages(seq, type, { task }, { to: [...new Set(to)] });
}

export function only(messages: AgencyMessage[], recipient: AgencyMessage['recipient']): AgencyMessage {
  const m = messages.find((x) => x.recipient === recipient);
  if (!m) throw new Error(`no message for ${recipient}`);
  return m;
}

export interface ReceivedRequest {
  agency: string;
  eventId: string | undefined;
  body: string;
  signatureValid: boolean;
  status: number;
}

export interface WebhookReceiver {
  /** Base URL; each agency posts to `${url}/<AGENCY>`. */
  url: string;
  urlFor(agency: Agency): URL;
  requests: ReceivedRequest[];
  /** Successful (2xx) deliveries with a valid signature. */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * An agency-side receiver on 127.0.0.1:0. `respond` picks the status per request (default 204); its
 * counting of attempts is the caller's business.
 */
export async function startWebhookReceiver(
  secrets: Partial<Record<Agency, string>>,
  respond: (req: { agency: string; eventId: string | undefined; attempt: number }) => number = () => 204,
): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const agency = (req.url ?? '/').slice(1);
        const eventId = header(req, 'x-case-event-id');
        const secret = secrets[agency as Agency];
        const signatureValid = secret ? verifyWebhookSignature(secret, body, header(req, 'x-case-signature')) : false;
        const key = `${agency}/${eventId}`;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const status = signatureValid ? respond({ agency, eventId, attempt }) : 401;
        requests.push({ agency, eventId, body, signatureValid, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"note":"ignored by the notifier"}');
      })
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    urlFor: (agency) => new URL(`${url}/${agency}`),
    requests,
    accepted: () => requests.filter((r) => r.signatureValid && r.status >= 200 && r.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Polls until `check` returns a value (not undefined/false), or fails with `what` after timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
