/**
 * The HTTP webhook channel: each agency's own endpoint receives that agency's events as CloudEvents
 * (structured mode), signed with the agency's secret so the receiver can check they came from us.
 * The response body is never read: only the status code counts, so a compromised or confused receiver
 * cannot steer the notifier. Redirects are not followed (a redirect could send events elsewhere).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import { CONTENT_TYPE_CLOUDEVENTS } from '../nats/cloud-event';
import type { Delivery, NotificationChannel } from './channels';
import type { WebhookTarget } from './config';

export const SIGNATURE_HEADER = 'X-Case-Signature';
export const EVENT_ID_HEADER = 'X-Case-Event-Id';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>` */
export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    readonly agency: Agency,
    /** The last HTTP status, if the receiver answered at all. */
    readonly status: number | undefined,
    readonly attempts: number,
    detail: string,
  ) {
    super(`webhook for ${agency} failed after ${attempts} attempt(s): ${detail}`);
  }
}

export interface WebhookChannelOptions {
  targets: Partial<Record<Agency, WebhookTarget>>;
  /** In-process attempts per delivery before the message goes back to JetStream (nak). */
  attempts?: number;
  timeoutMs?: number;
  baseDelayMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: WebhookChannelOptions) {
    this.attempts = opts.attempts ?? 3;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
    this.fetchFn = opts.fetch ?? fetch;
  }

  async deliver(d: Delivery): Promise<void> {
    const target = this.opts.targets[d.agency];
    if (!target) return;
    const body = JSON.stringify(d.event);
    const requestHeaders = {
      'Content-Type': `${CONTENT_TYPE_CLOUDEVENTS}; charset=utf-8`,
      'User-Agent': 'case-orchestrator-notifier',
      [SIGNATURE_HEADER]: signWebhookBody(target.secret, body),
      [EVENT_ID_HEADER]: d.event.id,
    };
    let status: number | undefined;
    let detail = '';
    let made = 0;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      made = attempt;
      try {
        const res = await this.fetchFn(target.url, {
          method: 'POST',
          headers: requestHeaders,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        status = res.status;
        // Discard the body unread; cancelling frees the connection for reuse.
        await res.body?.cancel().catch(() => undefined);
        if (status >= 200 && status < 300) return;
        detail = `HTTP ${status}`;
        if (!isRetryableStatus(status)) break;
      } catch (err) {
        status = undefined;
        detail = describeError(err);
      }
      this.opts.logger?.debug({ agency: d.agency, eventId: d.event.id, attempt, detail }, 'webhook attempt failed');
      if (attempt < this.attempts) await sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
    throw new WebhookDeliveryError(d.agency, status, made, detail);
  }
}

/** 4xx other than timeout/throttling means "the receiver refuses this": asking again at once won't help. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function describeError(err: unknown): string {
  // Not `instanceof Error`: fetch errors may come from another realm (undici, test sandboxes).
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const e = err as { name?: unknown; message: unknown; cause?: { code?: unknown } };
    const code = typeof e.cause?.code === 'string' ? ` (${e.cause.code})` : '';
    return `${String(e.name ?? 'Error')}: ${String(e.message)}${code}`;
  }
  return 'request failed';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
