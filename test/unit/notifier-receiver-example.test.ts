/**
 * The receiver example in docs/notifications.md is code agencies will copy: this test takes it from the document
 * as written, compiles it, and runs it against what our WebhookChannel sends.
 */
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Delivery } from '../../src/notifier/channels';
import { generateWebhookSecret, webhookSecretKey } from '../../src/notifier/standard-webhooks';
import { WebhookChannel } from '../../src/notifier/webhook';

type Verify = (
  secrets: string[],
  headers: Record<string, string | undefined>,
  body: string,
  nowSeconds?: number,
) => { ok: true; id: string } | { ok: false; reason: string };

function loadExample(): Verify {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'notifications.md'), 'utf8');
  const section = /<!-- receiver-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- receiver-example:end -->/.exec(doc);
  if (!section?.[1]) throw new Error('docs/notifications.md: receiver example not found');
  const js = ts.transpileModule(section[1], {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const exports: Record<string, unknown> = {};
  // The example may use node:crypto and nothing else.
  const requireOnly = (id: string) => {
    if (id !== 'node:crypto') throw new Error(`the example must not need ${id}`);
    return nodeCrypto;
  };
  new Function('require', 'exports', js)(requireOnly, exports);
  return exports.verifyCaseWebhook as Verify;
}

const verify = loadExample();
const SECRET = generateWebhookSecret(Buffer.alloc(32, 3));
const OLD = generateWebhookSecret(Buffer.alloc(32, 4));
const SENT_AT = new Date('2026-03-01T08:00:00.000Z');
const SENT_S = SENT_AT.getTime() / 1000;

/** One request as our WebhookChannel sends it: headers (lower-case, as a server sees them) and the raw body. */
async function sentRequest(secrets: string[]): Promise<{ headers: Record<string, string>; body: string }> {
  let captured: { headers: Record<string, string>; body: string } | undefined;
  const fetchStub = (async (_url: string | URL | Request, init?: RequestInit) => {
    const headers = Object.fromEntries(
      Object.entries(init?.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    captured = { headers, body: init?.body as string };
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  const delivery: Delivery = {
    reader: 'POLICE',
    eventType: 'warrant-approved',
    event: {
      specversion: '1.0',
      id: 'case-PE-1.3',
      source: '/case-orchestrator/case-PE-1',
      type: 'org.case-orchestrator.warrant-approved',
      subject: 'PE-1',
      time: SENT_AT.toISOString(),
      datacontenttype: 'application/json',
      data: { caseId: 'PE-1', warrantRef: 'W-1' },
    },
    streamSeq: 1,
    deliveryCount: 1,
    attempt: 1,
  };
  await new WebhookChannel({
    targets: { POLICE: { url: new URL('https://police.example/hook'), keys: secrets.map(webhookSecretKey) } },
    fetch: fetchStub,
    now: () => SENT_AT,
  }).deliver(delivery);
  if (!captured) throw new Error('nothing sent');
  return captured;
}

describe('the receiver example in docs/notifications.md', () => {
  it('accepts what the notifier sends, with the secret or either secret of a rotation', async () => {
    const { headers, body } = await sentRequest([SECRET]);
    expect(verify([SECRET], headers, body, SENT_S + 10)).toEqual({ ok: true, id: 'case-PE-1.3' });
    const rotating = await sentRequest([OLD, SECRET]);
    expect(verify([SECRET], rotating.headers, rotating.body, SENT_S).ok).toBe(true);
    expect(verify([OLD], rotating.headers, rotating.body, SENT_S).ok).toBe(true);
  });

  it('rejects a bad signature: another secret, a changed body, a forged header', async () => {
    const { headers, body } = await sentRequest([SECRET]);
    expect(verify([OLD], headers, body, SENT_S)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verify([SECRET], headers, body.replace('W-1', 'W-2'), SENT_S)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    const forged = { ...headers, 'webhook-signature': 'v1,AAAA' };
    expect(verify([SECRET], forged, body, SENT_S)).toEqual({ ok: false, reason: 'bad signature' });
    // A later timestamp with the old signature: the timestamp is signed too.
    const moved = { ...headers, 'webhook-timestamp': String(SENT_S + 60) };
    expect(verify([SECRET], moved, body, SENT_S + 60)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects a timestamp outside five minutes either way, and missing headers', async () => {
    const { headers, body } = await sentRequest([SECRET]);
    expect(verify([SECRET], headers, body, SENT_S + 5 * 60).ok).toBe(true);
    expect(verify([SECRET], headers, body, SENT_S + 5 * 60 + 1)).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance window',
    });
    expect(verify([SECRET], headers, body, SENT_S - 5 * 60 - 1).ok).toBe(false);
    const { ['webhook-id']: _id, ...noId } = headers;
    expect(verify([SECRET], noId, body, SENT_S)).toEqual({ ok: false, reason: 'missing webhook headers' });
  });

  it('accepts the same request twice within the window: catching replays is the receiver’s job (webhook-id)', async () => {
    const { headers, body } = await sentRequest([SECRET]);
    const first = verify([SECRET], headers, body, SENT_S);
    const again = verify([SECRET], headers, body, SENT_S + 30);
    expect([first.ok, again.ok]).toEqual([true, true]);
    // Hence the document's instruction: remember ids for at least the tolerance window and drop repeats.
    expect(first).toEqual(again);
  });
});
