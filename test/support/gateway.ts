/**
 * The one door, for integration tests: the real development identity provider (a process), the gateway
 * (in-process, the same app workers/gateway.ts serves) over a test orchestrator, and a notifier filling the
 * task inbox. Clients get real tokens: agency systems by client credentials, people through the
 * authorization-code flow of the provider's own sign-in form.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { CasesClient } from '../../src/client/cases-client';
import { AGENCIES, RECIPIENTS } from '../../src/domain/agencies';
import type { DeadlinePolicy } from '../../src/domain/policy';
import { createGateway } from '../../src/gateway/app';
import { createTokenVerifier } from '../../src/identity/verify';
import { ensureNotifierBuckets } from '../../src/nats/buckets';
import { LogChannel } from '../../src/notifier/channels';
import { Notifier } from '../../src/notifier/notifier';
import { CaseService } from '../../src/temporal/case-service';
import { silentLogger } from '../integration/notifier-fixtures';
import { startIdentityProvider, type IdentityProviderHandle } from './identity';
import { startOrchestrator, testConfig, type TestOrchestrator } from './orchestrator';
import { startNatsServer, type NatsServerHandle } from './servers';

export interface TestGateway {
  url: string;
  idp: IdentityProviderHandle;
  o: TestOrchestrator;
  app: FastifyInstance;
  /** A client acting as a dev account (a person) of the provider's seed. */
  as(account: string): CasesClient;
  /** A client acting as an agency system (client credentials). */
  asClient(clientId: string): CasesClient;
  /** A raw call with any token (or none), for attack tests. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  tokenOf(account: string): Promise<string>;
  stop(): Promise<void>;
}

class TestTokens {
  private cached?: Promise<string>;
  constructor(private readonly get: () => Promise<string>) {}
  token(): Promise<string> {
    this.cached ??= this.get();
    return this.cached;
  }
  invalidate(): void {
    this.cached = undefined;
  }
}

export async function startGateway(opts: { policy?: DeadlinePolicy } = {}): Promise<TestGateway> {
  // A nats-server of its own: the notifier reads only this file's events.
  const nats: NatsServerHandle = await startNatsServer();
  const idp = await startIdentityProvider();
  const o = await startOrchestrator({
    config: testConfig({ NATS_URL: nats.url }),
    ...(opts.policy ? { policy: opts.policy } : {}),
  });
  const buckets = await ensureNotifierBuckets(o.nc);
  const notifier = new Notifier({
    nc: o.nc,
    stream: o.config.NATS_STREAM,
    agencies: AGENCIES,
    cleared: RECIPIENTS.includes('CLEARED'),
    buckets,
    channels: [new LogChannel(silentLogger())],
    logger: silentLogger(),
  });
  await notifier.start();
  const app = await createGateway({
    cases: new CaseService(o.temporal, o.config, opts.policy),
    inbox: buckets.inbox,
    verifier: createTokenVerifier(idp.verifierOptions()),
    logger: silentLogger(),
    accessTtlMs: 0,
    heartbeatMs: 1_000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = (get: () => Promise<string>) =>
    new CasesClient({ gatewayUrl: url, tokens: new TestTokens(get), attempts: 1 });
  return {
    url,
    idp,
    o,
    app,
    as: (account) => client(() => idp.personToken(account)),
    asClient: (clientId) => client(() => idp.clientToken(clientId)),
    tokenOf: (account) => idp.personToken(account),
    async call(method, path, { token, body, headers = {} } = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async stop() {
      await app.close();
      await notifier.stop();
      await o.stop();
      await idp.stop({ removeData: true });
      await nats.stop({ removeData: true });
    },
  };
}
