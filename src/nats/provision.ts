/**
 * Provisioning by processes that may or may not hold the admin identity. In development (no NATS users) every
 * process sets up what it needs, so a fresh stack just works; in production the services run least-privilege
 * users that may not, and rely on `cases setup` having run as admin. The server's permission refusal tells the
 * two apart; any other error is a real failure.
 */
import { PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ensureNotifierBuckets, type BucketSpec } from './buckets';
import { ensureJetStream, type ConsumerSpec, type JetStreamConfig } from './stream';

export type ProvisionOutcome = 'provisioned' | 'not-permitted';

export function isPermissionViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof PermissionViolationError || /permissions violation/i.test(e.message)) return true;
  }
  return false;
}

/** ensureJetStream (and, given bucketSpec, the notifier's buckets) if this identity may; else says so and returns. */
export async function provisionIfPermitted(
  config: JetStreamConfig,
  nc: NatsConnection,
  logger: Logger,
  opts: { consumers?: ConsumerSpec; buckets?: BucketSpec } = {},
): Promise<ProvisionOutcome> {
  try {
    const ensured = await ensureJetStream(config, nc, opts.consumers);
    for (const note of ensured.migration) logger.warn({ stream: config.NATS_STREAM }, `setup: ${note}`);
    if (opts.buckets) await ensureNotifierBuckets(nc, opts.buckets);
    return 'provisioned';
  } catch (err) {
    if (!isPermissionViolation(err)) throw err;
    logger.info(
      { stream: config.NATS_STREAM },
      'this NATS identity may not provision streams (least privilege): expecting `cases setup` to have run as admin',
    );
    return 'not-permitted';
  }
}
