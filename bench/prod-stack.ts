/**
 * The production topology as a bench stack: scripts/prod-local.sh started by the test harness
 * (test/support/prod-topology.ts) with its servers only (PROD_LOCAL_APPS=none): the Temporal server on PostgreSQL
 * behind mTLS and a three-node NATS JetStream cluster with everything at 3 replicas. The benchmarks' own worker
 * processes (bench/worker-child.ts) connect to it with the worker certificate, exactly as they connect to the dev
 * server in the other phase, so the two phases differ by their servers only.
 */
import { join } from 'node:path';
import { loadConfig, type Config } from '../src/config';
import type { NatsServerHandle, TemporalServerHandle } from '../test/support/servers';
import { startProdTopology, type ProdTopology } from '../test/support/prod-topology';
import type { BenchStack } from './stack';

export interface ProdBenchStack extends BenchStack {
  topology: ProdTopology;
  /** The admin's settings (client.env), for the bench driver's own clients. */
  adminConfig(): Config;
}

export async function startProdBenchStack(): Promise<ProdBenchStack> {
  const topology = await startProdTopology({ apps: ['none'], env: { CODEC_KEYS: process.env.CODEC_KEYS ?? '' } });
  const tls = topology.tlsDir;
  const admin = topology.clientEnv;
  // Read by every process of the run through loadConfig() (the forked workers inherit the environment), as
  // startBenchStack does for the dev stack: the workers' certificate, and the admin's NATS identity (the bench
  // workers and the driver share one environment; least privilege is the production-topology test's business).
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: topology.temporalAddress,
    TEMPORAL_TLS_CA: join(tls, 'ca.pem'),
    TEMPORAL_TLS_CERT: join(tls, 'worker.pem'),
    TEMPORAL_TLS_KEY: join(tls, 'worker-key.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    NATS_URL: topology.natsUrls.join(','),
    NATS_REPLICAS: '3',
    ...(admin.NATS_NKEY_SEED_FILE ? { NATS_NKEY_SEED_FILE: admin.NATS_NKEY_SEED_FILE } : {}),
    ...(admin.NATS_TLS_CA_FILE ? { NATS_TLS_CA_FILE: admin.NATS_TLS_CA_FILE } : {}),
  });
  const base = { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' };
  // The bench reads only the server's pid (CPU time) and address; the rest of a dev-server handle has no meaning here.
  const temporal = {
    get pid() {
      return topology.pid('temporal') ?? -1;
    },
    address: topology.temporalAddress,
  } as unknown as TemporalServerHandle;
  const nats = { url: topology.natsUrls[0], pid: topology.pid('nats-1') ?? -1 } as unknown as NatsServerHandle;
  return {
    topology,
    temporal,
    nats,
    config: (overrides = {}) => loadConfig({ ...base, ...overrides }),
    adminConfig: () => loadConfig({ ...base, ...admin, LOG_LEVEL: base.LOG_LEVEL }),
    stop: () => topology.stop(),
  };
}
