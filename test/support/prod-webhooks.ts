/**
 * An agency-side webhook receiver for fault tests, keeping score the way a receiver that deduplicates on the event
 * id sees it (Standard Webhooks' `webhook-id`; the body is the CloudEvent, whose id is the same):
 * - a delivery is *accepted* once a 2xx response has been written to a live connection: the notifier can know it;
 * - a delivery is *cut* when the caller vanished before any response (its process was killed mid-request): the
 *   notifier cannot know it, so one more delivery of that event is expected and is not a double;
 * - a notification is *doubled* when the same (agency, event) is accepted twice.
 * `down()` makes the endpoint refuse connections (the receiver's host is down) until `upAgain()`, on the same port.
 * `freeze()` keeps every request from then on waiting without an answer (until `thaw()`), for killing the notifier
 * in the middle of its deliveries: the requests held when it dies are the deliveries it was in the middle of.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface DeliveryRecord {
  agency: string;
  /** The CloudEvent id (the body's `id`, or the `webhook-id` / `X-Case-Event-Id` header). */
  eventId: string;
  /** The case id (the CloudEvent's `subject`). */
  caseId: string;
  outcome: 'accepted' | 'cut';
  at: number;
}

export interface HeldDelivery {
  agency: string;
  eventId: string;
  caseId: string;
  /** Resolves once the caller's connection is gone without a response (true), or after a response (false). */
  settled: Promise<boolean>;
}

export interface Freeze {
  /** Requests held so far (grows until thaw). */
  held: HeldDelivery[];
  /** The first held request; fails after the freeze's timeout if none arrives (no delivery under way). */
  first: Promise<HeldDelivery>;
  /** Answers the held requests whose callers are still there, and answers new ones at once again. */
  thaw(): void;
}

export interface FaultReceiver {
  url: string;
  urlFor(agency: string): string;
  deliveries: DeliveryRecord[];
  /** Accepted deliveries per `${agency}/${eventId}`. */
  acceptedCounts(): Map<string, number>;
  freeze(timeoutMs: number): Freeze;
  down(): Promise<void>;
  upAgain(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultReceiver(): Promise<FaultReceiver> {
  const deliveries: DeliveryRecord[] = [];
  const sockets = new Set<Socket>();
  /** While frozen: where held requests go, and how they are answered at the thaw. */
  let frozen: { hold: (h: HeldDelivery, answer: () => void) => void } | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const agency = (req.url ?? '/').split('/')[1] ?? '';
    let event: { id?: unknown; subject?: unknown } = {};
    try {
      event = JSON.parse(body) as typeof event;
    } catch {
      // not JSON: identified by its headers only
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const eventId =
      (typeof event.id === 'string' ? event.id : undefined) ?? header('webhook-id') ?? header('x-case-event-id') ?? '';
    const caseId = typeof event.subject === 'string' ? event.subject : '';
    const record = (outcome: DeliveryRecord['outcome']) =>
      deliveries.push({ agency, eventId, caseId, outcome, at: Date.now() });
    const respond = () => {
      if (res.destroyed || req.socket.destroyed) return;
      res.once('finish', () => record('accepted'));
      res.writeHead(204).end();
    };
    if (!frozen) return respond();
    let answered = false;
    const settled = new Promise<boolean>((resolve) => {
      res.once('finish', () => resolve(false));
      res.once('close', () => {
        if (!answered) {
          record('cut');
          resolve(true);
        }
      });
    });
    frozen.hold({ agency, eventId, caseId, settled }, () => {
      answered = true;
      respond();
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => undefined);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    urlFor: (agency) => `${url}/${agency}`,
    deliveries,
    acceptedCounts() {
      const counts = new Map<string, number>();
      for (const d of deliveries) {
        if (d.outcome === 'accepted')
          counts.set(`${d.agency}/${d.eventId}`, (counts.get(`${d.agency}/${d.eventId}`) ?? 0) + 1);
      }
      return counts;
    },
    freeze(timeoutMs) {
      const held: HeldDelivery[] = [];
      const answers: Array<() => void> = [];
      let resolveFirst: (h: HeldDelivery) => void = () => undefined;
      let rejectFirst: (err: Error) => void = () => undefined;
      const first = new Promise<HeldDelivery>((resolve, reject) => {
        resolveFirst = resolve;
        rejectFirst = reject;
      });
      const timer = setTimeout(
        () => rejectFirst(new Error(`no webhook request arrived within ${timeoutMs} ms of the freeze`)),
        timeoutMs,
      );
      frozen = {
        hold: (h, answer) => {
          held.push(h);
          answers.push(answer);
          clearTimeout(timer);
          resolveFirst(h);
        },
      };
      return {
        held,
        first,
        thaw: () => {
          clearTimeout(timer);
          frozen = undefined;
          for (const answer of answers.splice(0)) answer();
        },
      };
    },
    down: stopListening,
    upAgain: () => listen(port),
    close: () => (server.listening ? stopListening() : Promise.resolve()),
  };
}
