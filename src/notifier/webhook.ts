/**
 * The HTTP webhook channel: each agency's own endpoint receives that agency's events as CloudEvents (structured
 * mode), signed per Standard Webhooks (standard-webhooks.ts) with the agency's secret(s), so the receiver can check
 * they came from us and are recent. `webhook-id` is the event id, the same on every retry.
 * The response body is never read: only the status code counts, so a compromised or confused receiver cannot
 * steer the notifier. Redirects are not followed (a redirect could send events elsewhere).
 */
import type { Logger } from 'pino';
import type { Agency } from '../domain/agencies';
import { CONTENT_TYPE_CLOUDEVENTS } from '../nats/cloud-event';
import type { Delivery, NotificationChannel } from './channels';
import type { WebhookTarget } from './config';
import { standardWebhookHeaders } from './standard-webhooks';

/** Kept for receivers written before Standard Webhooks: the same value as `webhook-id`. */
export const EVENT_ID_HEADER = 'X-Case-Event-Id';

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
  /** Quick in-process attempts per delivery before the notifier's own (slower, longer) retry takes over. */
  attempts?: number;
  timeoutMs?: number;
  baseDelayMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** For tests: the signing clock. */
  now?: () => Date;
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
    // CLEARED task events go to the inbox only: no agency endpoint may learn of them.
    if (d.reader === 'CLEARED') return;
    const target = this.opts.targets[d.reader];
    if (!target) return;
    const body = JSON.stringify(d.event);
    let status: number | undefined;
    let detail = '';
    let made = 0;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      made = attempt;
      // Signed per attempt: the timestamp says when this request was made, as receivers expect.
      const timestamp = Math.floor((this.opts.now?.() ?? new Date()).getTime() / 1000);
      const requestHeaders = {
        'Content-Type': `${CONTENT_TYPE_CLOUDEVENTS}; charset=utf-8`,
        'User-Agent': 'case-orchestrator-notifier',
        ...standardWebhookHeaders(target.keys, { id: d.event.id, timestamp, body }),
        [EVENT_ID_HEADER]: d.event.id,
      };
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
      this.opts.logger?.debug({ agency: d.reader, eventId: d.event.id, attempt, detail }, 'webhook attempt failed');
      if (attempt < this.attempts) await sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
    throw new WebhookDeliveryError(d.reader, status, made, detail);
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
