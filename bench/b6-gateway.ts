/**
 * B6 the door's cost. One sample = the same agency command (addLocation) sent twice to one open case: through
 * the gateway over HTTP with a police officer's access token (token verified, actor built, need-to-know
 * applied, Update sent), and directly to Temporal as the gateway's own case service sends it. Both are
 * measured in the same loop, interleaved, so both see the same machine. Figure: gateway p99 ÷ direct p99
 * (target ≤ 1.3).
 */
import type { AddressInfo } from 'node:net';
import { CasesClient } from '../src/client/cases-client';
import type { Actor } from '../src/domain/agencies';
import { createGateway } from '../src/gateway/app';
import { createTokenVerifier } from '../src/identity/verify';
import { createLogger } from '../src/logging';
import { ensureNotifierBuckets } from '../src/nats/buckets';
import { startIdentityProvider } from '../test/support/identity';
import { benchCase, PROSECUTION } from './cases';
import { casesClient, type BenchContext, type WorkerPair } from './context';
import { distribution, round, type Distribution } from './stats';

export interface B6Result {
  samples: number;
  gateway: Distribution;
  direct: Distribution;
  ratioP50: number;
  ratioP99: number;
}

/** The officer the gateway's token names (deploy/identity/dev-seed.json), as the direct path's actor. */
const OFFICER: Actor = { agency: 'POLICE', staffId: 'pol-204', roles: ['police-officer'], subject: 'bench-pol-204' };

const now = () => performance.now();

export async function runB6(ctx: BenchContext, workers: WorkerPair): Promise<B6Result> {
  const { samples, warmup, samplesPerCase } = ctx.settings.b6;
  const idp = await startIdentityProvider();
  const cases = casesClient(ctx, workers.caseQueue);
  const buckets = await ensureNotifierBuckets(ctx.nc);
  const app = await createGateway({
    cases,
    inbox: buckets.inbox,
    verifier: createTokenVerifier(idp.verifierOptions()),
    logger: createLogger({ level: 'warn', name: 'bench-gateway' }),
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const gatewayUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const token = await idp.personToken(OFFICER.staffId!);
    const officer = new CasesClient({ gatewayUrl, tokens: { token: async () => token }, attempts: 1 });

    const gateway: number[] = [];
    const direct: number[] = [];
    let caseId = '';
    let inCase = samplesPerCase;
    let serial = 0;
    for (let i = 0; i < warmup + samples; i++) {
      if (inCase >= samplesPerCase) {
        // A fresh case now and then keeps histories short (no continue-as-new mid-run).
        caseId = `B6-${ctx.runTag}-${(serial++).toString().padStart(4, '0')}`;
        await cases.open(PROSECUTION, benchCase(caseId));
        await cases.command(caseId, 'startInvestigation', PROSECUTION);
        inCase = 0;
      }
      inCase += 2;
      const args = { kind: 'home', district: `D${i}` };
      const g0 = now();
      await officer.command(caseId, 'addLocation', args);
      const g1 = now();
      await cases.command(caseId, 'addLocation', OFFICER, { ...args, district: `E${i}` });
      const d1 = now();
      if (i >= warmup) {
        gateway.push(g1 - g0);
        direct.push(d1 - g1);
      }
    }
    const d = { gateway: distribution(gateway), direct: distribution(direct) };
    return {
      samples: gateway.length,
      ...d,
      ratioP50: round(d.gateway.p50 / d.direct.p50, 3),
      ratioP99: round(d.gateway.p99 / d.direct.p99, 3),
    };
  } finally {
    await app.close();
    await idp.stop({ removeData: true });
  }
}
