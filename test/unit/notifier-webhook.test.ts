import { createHmac } from 'node:crypto';
import type { Delivery } from '../../src/notifier/channels';
import {
  signWebhookBody,
  verifyWebhookSignature,
  WebhookChannel,
  WebhookDeliveryError,
} from '../../src/notifier/webhook';

const SECRET = 'police-webhook-secret-0123456789';

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    agency: 'POLICE',
    eventType: 'warrant-approved',
    event: {
      specversion: '1.0',
      id: 'case-PE-1.3',
      source: '/case-orchestrator/case-PE-1',
      type: 'org.case-orchestrator.warrant-approved',
      subject: 'PE-1',
      time: '2026-03-01T08:00:00.000Z',
      datacontenttype: 'application/json',
      data: { caseId: 'PE-1', warrantRef: 'W-1' },
    },
    streamSeq: 12,
    deliveryCount: 1,
    ...overrides,
  };
}

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that answers with the given statuses in turn (a thrown Error stands for a network failure). */
function fakeFetch(answers: Array<number | Error>): { fetch: typeof fetch; calls: Call[]; bodiesCancelled: number } {
  const state = { calls: [] as Call[], bodiesCancelled: 0 };
  const fn = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    state.calls.push({ url: String(url), init: init ?? {} });
    const answer = answers[Math.min(state.calls.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    // A body the notifier must not trust: it should be discarded (cancelled), never read.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ack":true,"redirectTo":"https://evil.example"}'));
      },
      cancel() {
        state.bodiesCancelled++;
      },
    });
    return new Response(body, { status: answer ?? 500 });
  };
  return {
    fetch: fn as typeof fetch,
    get calls() {
      return state.calls;
    },
    get bodiesCancelled() {
      return state.bodiesCancelled;
    },
  };
}

function channel(f: typeof fetch, attempts = 3) {
  return new WebhookChannel({
    targets: { POLICE: { url: new URL('https://police.example/hooks/cases'), secret: SECRET } },
    attempts,
    baseDelayMs: 1,
    fetch: f,
  });
}

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of the exact body>', () => {
    const body = '{"id":"case-PE-1.3"}';
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(signWebhookBody(SECRET, body)).toBe(`sha256=${hex}`);
  });

  it('verifies only the right body with the right secret', () => {
    const body = '{"id":"case-PE-1.3"}';
    const sig = signWebhookBody(SECRET, body);
    expect(verifyWebhookSignature(SECRET, body, sig)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `${body} `, sig)).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', body, sig)).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, undefined)).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, 'sha256=00')).toBe(false);
  });
});

describe('WebhookChannel', () => {
  it('POSTs the CloudEvent, signed, with the event id, and never reads the response body', async () => {
    const f = fakeFetch([202]);
    await channel(f.fetch).deliver(delivery());
    expect(f.calls).toHaveLength(1);
    const [call] = f.calls;
    const headers = call?.init.headers as Record<string, string>;
    const body = call?.init.body as string;
    expect(call?.url).toBe('https://police.example/hooks/cases');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.redirect).toBe('manual');
    expect(JSON.parse(body)).toEqual(delivery().event);
    expect(headers['X-Case-Event-Id']).toBe('case-PE-1.3');
    expect(headers['Content-Type']).toMatch(/^application\/cloudevents\+json/);
    expect(verifyWebhookSignature(SECRET, body, headers['X-Case-Signature'])).toBe(true);
    expect(f.bodiesCancelled).toBe(1);
  });

  it('retries server errors and network failures with the same signed body, then succeeds', async () => {
    const f = fakeFetch([503, new TypeError('fetch failed'), 200]);
    await channel(f.fetch).deliver(delivery());
    expect(f.calls).toHaveLength(3);
    const bodies = new Set(f.calls.map((c) => c.init.body));
    expect(bodies.size).toBe(1);
  });

  it('gives up after its attempts with a typed error carrying the last status', async () => {
    const f = fakeFetch([500]);
    const err = await channel(f.fetch, 2)
      .deliver(delivery())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).toMatchObject({ agency: 'POLICE', status: 500, attempts: 2 });
    expect(f.calls).toHaveLength(2);
  });

  it('does not retry in-process when the receiver refuses the request (4xx), nor follow redirects', async () => {
    for (const status of [400, 401, 302]) {
      const f = fakeFetch([status]);
      await expect(channel(f.fetch).deliver(delivery())).rejects.toMatchObject({ status, attempts: 1 });
    }
  });

  it('retries throttling (429) and request timeouts (408)', async () => {
    const f = fakeFetch([429, 408, 200]);
    await channel(f.fetch).deliver(delivery());
    expect(f.calls).toHaveLength(3);
  });

  it('skips agencies without a webhook', async () => {
    const f = fakeFetch([200]);
    await channel(f.fetch).deliver(delivery({ agency: 'JUDICIARY' }));
    expect(f.calls).toHaveLength(0);
  });
});
