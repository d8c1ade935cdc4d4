import type { Delivery } from '../../src/notifier/channels';
import {
  generateWebhookSecret,
  signatureFor,
  standardWebhookHeaders,
  verifyStandardWebhook,
  webhookSecretKey,
  WebhookSecretError,
} from '../../src/notifier/standard-webhooks';
import { WebhookChannel, WebhookDeliveryError } from '../../src/notifier/webhook';

const SECRET = generateWebhookSecret(Buffer.alloc(32, 7));
const NEXT = generateWebhookSecret(Buffer.alloc(32, 9));
const NOW = new Date('2026-03-01T08:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return {
    reader: 'POLICE',
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
    attempt: 1,
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

function channel(f: typeof fetch, attempts = 3, secrets = [SECRET]) {
  return new WebhookChannel({
    targets: { POLICE: { url: new URL('https://police.example/hooks/cases'), keys: secrets.map(webhookSecretKey) } },
    attempts,
    baseDelayMs: 1,
    fetch: f,
    now: () => NOW,
  });
}

const headersOf = (call: Call | undefined) => call?.init.headers as Record<string, string>;

describe('Standard Webhooks signing', () => {
  it("matches the specification's published example (an independent check of the scheme)", () => {
    // From the Standard Webhooks reference test suite (also what the `standardwebhooks` package produces).
    const key = webhookSecretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const signed = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
    expect(signatureFor(key, signed)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every configured secret during a rotation, and a receiver with either verifies', () => {
    const keys = [SECRET, NEXT].map(webhookSecretKey);
    const h = standardWebhookHeaders(keys, { id: 'case-PE-1.3', timestamp: NOW_S, body: '{}' });
    expect(h['webhook-id']).toBe('case-PE-1.3');
    expect(h['webhook-timestamp']).toBe(String(NOW_S));
    expect(h['webhook-signature']?.split(' ')).toHaveLength(2);
    const signed = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
    for (const key of keys) expect(verifyStandardWebhook([key], signed, '{}', NOW_S)).toEqual({ ok: true });
    const stranger = webhookSecretKey(generateWebhookSecret(Buffer.alloc(32, 1)));
    expect(verifyStandardWebhook([stranger], signed, '{}', NOW_S)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a changed body, a stale or future timestamp, and missing headers', () => {
    const key = webhookSecretKey(SECRET);
    const h = standardWebhookHeaders([key], { id: 'e1', timestamp: NOW_S, body: '{"a":1}' });
    const signed = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
    expect(verifyStandardWebhook([key], signed, '{"a":2}', NOW_S).ok).toBe(false);
    expect(verifyStandardWebhook([key], signed, '{"a":1}', NOW_S + 301)).toEqual({
      ok: false,
      reason: 'timestamp-outside-tolerance',
    });
    expect(verifyStandardWebhook([key], signed, '{"a":1}', NOW_S - 301).ok).toBe(false);
    expect(verifyStandardWebhook([key], { ...signed, signature: undefined }, '{"a":1}', NOW_S)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('accepts only whsec_ secrets of 24-64 bytes, and never echoes them', () => {
    expect(webhookSecretKey(SECRET)).toHaveLength(32);
    for (const bad of ['plain-secret-0123456789', 'whsec_', 'whsec_!!!!', generateWebhookSecret(Buffer.alloc(8))]) {
      expect(() => webhookSecretKey(bad)).toThrow(WebhookSecretError);
      try {
        webhookSecretKey(bad);
      } catch (err) {
        if (bad.length > 6) expect((err as Error).message).not.toContain(bad.slice(6));
      }
    }
  });
});

describe('WebhookChannel', () => {
  it('POSTs the CloudEvent with Standard Webhooks headers and the event id, never reading the response', async () => {
    const f = fakeFetch([202]);
    await channel(f.fetch).deliver(delivery());
    expect(f.calls).toHaveLength(1);
    const [call] = f.calls;
    const headers = headersOf(call);
    const body = call?.init.body as string;
    expect(call?.url).toBe('https://police.example/hooks/cases');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.redirect).toBe('manual');
    expect(JSON.parse(body)).toEqual(delivery().event);
    expect(headers['webhook-id']).toBe('case-PE-1.3');
    expect(headers['webhook-timestamp']).toBe(String(NOW_S));
    expect(headers['X-Case-Event-Id']).toBe('case-PE-1.3');
    expect(headers['Content-Type']).toMatch(/^application\/cloudevents\+json/);
    const signed = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: headers['webhook-signature'],
    };
    expect(verifyStandardWebhook([webhookSecretKey(SECRET)], signed, body, NOW_S)).toEqual({ ok: true });
    expect(f.bodiesCancelled).toBe(1);
  });

  it('retries server errors and network failures with the same body and webhook-id, then succeeds', async () => {
    const f = fakeFetch([503, new TypeError('fetch failed'), 200]);
    await channel(f.fetch).deliver(delivery());
    expect(f.calls).toHaveLength(3);
    expect(new Set(f.calls.map((c) => c.init.body)).size).toBe(1);
    expect(new Set(f.calls.map((c) => headersOf(c)['webhook-id'])).size).toBe(1);
  });

  it('signs with both secrets during a rotation', async () => {
    const f = fakeFetch([200]);
    await channel(f.fetch, 1, [SECRET, NEXT]).deliver(delivery());
    expect(headersOf(f.calls[0])['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
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

  it('skips agencies without a webhook, and never posts a CLEARED task anywhere', async () => {
    const f = fakeFetch([200]);
    await channel(f.fetch).deliver(delivery({ reader: 'JUDICIARY' }));
    await channel(f.fetch).deliver(delivery({ reader: 'CLEARED' }));
    expect(f.calls).toHaveLength(0);
  });
});
