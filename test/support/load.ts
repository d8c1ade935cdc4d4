/**
 * Load for fault tests: short complete case lifecycles driven concurrently, each command retried with
 * the same command id on transient failures (a server restarting), which is what makes retrying safe.
 */
import type { CaseService } from '../../src/temporal/case-service';
import { CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../../src/client/errors';
import type { Actor } from '../../src/domain/agencies';
import { JUDGE, POLICE, PROSECUTION, smallCase } from './case-steps';

const transient = (err: unknown) =>
  !(err instanceof CommandRefusedError || err instanceof InvalidInputError || err instanceof CaseNotFoundError);

async function retrying<T>(what: string, call: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!transient(err) || Date.now() > deadline)
        throw new Error(`${what} failed after ${attempt} attempts: ${String(err)}`);
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
    }
  }
}

/** Open → investigation → warrant → raid → arrest in flagrante → remand → charges → trial → verdict → appeal waived → CLOSED. */
export async function driveShortCase(cases: CaseService, caseId: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let step = 0;
  const cmd = (name: string, by: Actor, args: Record<string, unknown> = {}) => {
    step += 1;
    const commandId = `${caseId}-${step}-${name}`;
    return retrying(`${caseId} ${name}`, () => cases.command(caseId, name, by, args, { commandId }), deadline);
  };
  await retrying(`${caseId} open`, () => cases.open(PROSECUTION, smallCase(caseId)), deadline);
  await cmd('startInvestigation', PROSECUTION);
  const { suspectRef } = await cmd('addSuspect', PROSECUTION, { name: 'Load Suspect', roles: ['member'] });
  const { locationRef } = await cmd('addLocation', POLICE, { kind: 'home', district: 'Cercado' });
  const { warrantRef } = await cmd('requestWarrant', PROSECUTION, { kind: 'search', locationRefs: [locationRef] });
  await cmd('approveWarrant', JUDGE, { warrantRef });
  const { raidRef } = await cmd('planRaid', POLICE, { locationRefs: [locationRef] });
  const { arrestRef } = await cmd('recordArrest', POLICE, {
    suspectRef,
    offenceClass: 'trafficking',
    raidRef,
    inFlagrante: true,
  });
  await cmd('reportLocation', POLICE, { raidRef, locationRef, outcome: 'secured' });
  await cmd('endDetention', JUDGE, { arrestRef, outcome: 'remanded' });
  await cmd('fileCharges', PROSECUTION, { suspectRefs: [suspectRef], offences: ['human-trafficking'] });
  await cmd('openTrial', JUDGE);
  await cmd('recordVerdict', JUDGE, { verdicts: [{ suspectRef, outcome: 'convicted', sentenceMonths: 60 }] });
  await cmd('waiveAppeal', JUDGE, { suspectRefs: [suspectRef] });
  await cmd('closeCase', PROSECUTION);
}
