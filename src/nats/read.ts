/** Reading what a consumer holds right now: for the demo, admin tools and tests. */
import type { Consumer, JsMsg } from '@nats-io/jetstream';

/**
 * Fetches and acks batches until one comes back empty, visiting each message; returns how many it saw.
 * "Empty" means nothing arrived within `expiresMs`, so call it again to wait for more.
 */
export async function drainConsumer(
  consumer: Consumer,
  visit: (m: JsMsg) => void | Promise<void>,
  opts: { batch?: number; expiresMs?: number } = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    const messages = await consumer.fetch({ max_messages: opts.batch ?? 500, expires: opts.expiresMs ?? 1_000 });
    let got = 0;
    for await (const m of messages) {
      got += 1;
      await visit(m);
      m.ack();
    }
    total += got;
    if (got === 0) return total;
  }
}
