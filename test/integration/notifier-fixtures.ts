/**
 * Shared pieces of the NATS and notifier integration tests: case events built the way the workflows
 * build them (src/domain/views.ts), a local webhook receiver that checks Standard Webhooks signatures,
 * and polling.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agency } from '../../src/domain/agencies';
import type { AgencyMessage } from '../../src/domain/envelope';
import type { EventType, PendingEvent } from '../../src/domain/events';
import { taskId, type HumanTask } from '../../src/domain/tasks';
import { toAgencyMessages } from '../../src/domain/views';
import { createLogger } from '../../src/logging';
import type { WebhookTarget } from '../../src/notifier/config';
import { generateWebhookSecret, verifyStandardWebhook, webhookSecretKey } from '../../src/notifier/standard-webhooks';

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

/**
 * The messages of a task event while the receiving agencies are restricted on the case (conflict of interest): the
 * domain (views.ts) turns each restricted receiver's copy into a CLEARED message for its staff cleared by name.
 */
export function restrictedTaskMessages(
  seq: number,
  type: EventType,
  task: HumanTask,
  cleared: Partial<Record<Agency, string[]>>,
): AgencyMessage[] {
  const to = type === 'task-escalated' ? [task.assignee, ...task.escalateTo] : [task.assignee];
  const event = {
    seq,
    type,
    at: new Date(Date.UTC(2026, 2, 1, 8, 0, seq)).toISOString(),
    caseId: CASE_ID,
    data: { task },
    restricted: Object.keys(cleared) as Agency[],
    cleared,
    to: [...new Set(to)],
  } as PendingEvent;
  return toAgencyMessages(workflowIdFor(), event);
}

export function only(messages: AgencyMessage[], recipient: AgencyMessage['recipient']): AgencyMessage {
  const m = messages.find((x) => x.recipient === recipient);
  if (!m) throw new Error(`no message for ${recipient}`);
  return m;
}

/** A Standard Webhooks secret (`whsec_...`) derived from a name, so tests are repeatable. */
export function testWebhookSecret(name: string): string {
  return generateWebhookSecret(createHash('sha256').update(name).digest());
}

/** Webhook targets for the notifier: each agency posts to `receiver.urlFor(agency)` with its secret. */
export function webhookTargets(
  receiver: Pick<WebhookReceiver, 'urlFor'>,
  secrets: Partial<Record<Agency, string>>,
): Partial<Record<Agency, WebhookTarget>> {
  return Object.fromEntries(
    Object.entries(secrets).map(([agency, secret]) => [
      agency,
      { url: receiver.urlFor(agency as Agency), keys: [webhookSecretKey(secret)] },
    ]),
  );
}

export interface ReceivedRequest {
  agency: string;
  /** The webhook-id header (the event id). */
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
        const eventId = header(req, 'webhook-id');
        const secret = secrets[agency as Agency];
        const signed = {
          id: eventId,
          timestamp: header(req, 'webhook-timestamp'),
          signature: header(req, 'webhook-signature'),
        };
        const nowSeconds = Math.floor(Date.now() / 1000);
        const signatureValid = secret
          ? verifyStandardWebhook([webhookSecretKey(secret)], signed, body, nowSeconds).ok &&
            header(req, 'x-case-event-id') === eventId
          : false;
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
