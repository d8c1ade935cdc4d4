/**
 * B2 notification latency. One sample = an agency command sent through the case service (addLocation by
 * POLICE) until POLICE's durable consumer (`agency-POLICE`, the one the notifier reads) receives the
 * `location-added` event for it; the event is matched by its CloudEvent subject (case id), type and
 * data.locationRef (the ref the command returned). Clock: one monotonic clock in this process.
 *
 *   latency       = command sent → event received (includes the Update round trip)
 *   afterAccepted = Update returned → event received
 *
 * The floor, sampled interleaved with the commands on the same servers:
 *   no-op Update round trip: executeUpdate on pingWorkflow (baseline worker, same worker options);
 *   raw JetStream publish → consume: js.publish of a CloudEvent-sized message on cases.POLICE.*
 *   (same stream, same consumer) until the consumer receives it.
 * floor pX = pX(no-op Update) + pX(raw publish→consume); the figure is p99(latency) ÷ floor p99.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { agencyConsumerName } from '../src/nats/stream';
import type { CloudEvent } from '../src/domain/envelope';
import { CONTENT_TYPE_CLOUDEVENTS } from '../src/nats/cloud-event';
import { casesClient, type BenchContext, type WorkerPair } from './context';
import { benchCase, POLICE, PROSECUTION } from './cases';
import { distribution, now, round, sleep, type Distribution } from './stats';
import { pingUpdate, pingWorkflow } from './workflows';

export interface B2Result {
  samples: number;
  loops: number;
  latency: Distribution;
  afterAccepted: Distribution;
  caseUpdateRoundTrip: Distribution;
  noopUpdateRoundTrip: Distribution;
  rawPublishConsume: Distribution;
  floor: { p50: number; p99: number };
  ratioP50: number;
  /** The figure (target ≤ 1.5). */
  ratioP99: number;
}

const PING_SUBJECT = 'cases.POLICE.bench-ping';

/** Receipt times by key, with waiters for keys not received yet. */
class Receipts {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();

  record(key: string, t: number): void {
    const waiter = this.waiters.get(key);
    if (waiter) {
      this.waiters.delete(key);
      waiter(t);
    } else this.seen.set(key, t);
  }

  wait(key: string, timeoutMs = 30_000): Promise<number> {
    const t = this.seen.get(key);
    if (t !== undefined) {
      this.seen.delete(key);
      return Promise.resolve(t);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`B2: no message for ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

export async function runB2(ctx: BenchContext, workers: WorkerPair): Promise<B2Result> {
  const { samples, loops, warmup, samplesPerCase } = ctx.settings.b2;
  const cases = casesClient(ctx, workers.caseQueue);
  const js = jetstream(ctx.nc);
  const receipts = new Receipts();

  // The agency's own durable consumer, read the way the notifier reads it (consume, explicit ack).
  const consumer = await js.consumers.get(ctx.config.NATS_STREAM, agencyConsumerName('POLICE'));
  const onMessage = (m: JsMsg, t: number) => {
    if (m.subject === PING_SUBJECT) {
      receipts.record(`ping/${m.headers?.get('Bench-Ping') ?? ''}`, t);
      return;
    }
    const event = m.json<CloudEvent<Record<string, unknown>>>();
    if (event.type.endsWith('.location-added'))
      receipts.record(`${event.subject}/${String(event.data.locationRef)}`, t);
  };
  const messages = await consumer.consume({ max_messages: 16 });
  const consuming = (async () => {
    for await (const m of messages) {
      const t = now();
      onMessage(m, t);
      m.ack();
    }
  })();

  const latency: number[] = [];
  const afterAccepted: number[] = [];
  const caseRtt: number[] = [];
  const noopRtt: number[] = [];
  const raw: number[] = [];
  const pingBody = new TextEncoder().encode(
    JSON.stringify({ specversion: '1.0', id: 'x'.repeat(40), data: { pad: 'y'.repeat(200) } }),
  );
  let serial = 0;

  const loop = async (loopIndex: number, count: number, record: boolean) => {
    let caseId = '';
    let inCase = samplesPerCase;
    const ping = await ctx.client.workflow.start(pingWorkflow, {
      workflowId: `bench-ping-${randomUUID()}`,
      taskQueue: workers.benchQueue,
    });
    try {
      for (let i = 0; i < count; i++) {
        if (inCase >= samplesPerCase) {
          // A fresh case every samplesPerCase commands keeps histories short (no continue-as-new mid-run).
          caseId = `B2-${ctx.runTag}-${loopIndex}-${(serial++).toString().padStart(4, '0')}`;
          await cases.open(PROSECUTION, benchCase(caseId));
          await cases.command(caseId, 'startInvestigation', PROSECUTION);
          await sleep(200);
          inCase = 0;
        }
        inCase++;
        // 1. the real path
        const t0 = now();
        const { locationRef } = await cases.command(caseId, 'addLocation', POLICE, {
          kind: 'home',
          district: 'Cercado',
        });
        const tAccepted = now();
        const tReceived = await receipts.wait(`${caseId}/${String(locationRef)}`);
        // 2. the floor: a no-op Update...
        const u0 = now();
        await ping.executeUpdate(pingUpdate);
        const u1 = now();
        // ...and a raw publish to the same stream and consumer.
        const id = randomUUID();
        const h = headers();
        h.set('Content-Type', CONTENT_TYPE_CLOUDEVENTS);
        h.set('Bench-Ping', id);
        const p0 = now();
        const acked = js.publish(PING_SUBJECT, pingBody, { msgID: `bench-ping.${id}`, headers: h });
        const p1 = await receipts.wait(`ping/${id}`);
        await acked;
        if (record) {
          latency.push(tReceived - t0);
          afterAccepted.push(tReceived - tAccepted);
          caseRtt.push(tAccepted - t0);
          noopRtt.push(u1 - u0);
          raw.push(p1 - p0);
        }
      }
    } finally {
      await ping.terminate('benchmark done').catch(() => undefined);
    }
  };

  try {
    ctx.log(`B2 warm-up: ${warmup} samples`);
    await loop(0, warmup, false);
    const perLoop = Math.ceil(samples / loops);
    ctx.log(`B2: ${perLoop * loops} samples from ${loops} loops`);
    await Promise.all(Array.from({ length: loops }, (_, i) => loop(i + 1, perLoop, true)));
  } finally {
    await messages.close().catch(() => undefined);
    await consuming.catch(() => undefined);
  }

  const d = {
    latency: distribution(latency),
    afterAccepted: distribution(afterAccepted),
    caseUpdateRoundTrip: distribution(caseRtt),
    noopUpdateRoundTrip: distribution(noopRtt),
    rawPublishConsume: distribution(raw),
  };
  const floor = {
    p50: round(d.noopUpdateRoundTrip.p50 + d.rawPublishConsume.p50, 2),
    p99: round(d.noopUpdateRoundTrip.p99 + d.rawPublishConsume.p99, 2),
  };
  return {
    samples: latency.length,
    loops,
    ...d,
    floor,
    ratioP50: round(d.latency.p50 / floor.p50, 3),
    ratioP99: round(d.latency.p99 / floor.p99, 3),
  };
}
