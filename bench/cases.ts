/** How the benchmarks drive cases: through the case service, as the gateway does (B6 measures the gateway itself). */
import type { CaseService } from '../src/temporal/case-service';
import type { Actor } from '../src/domain/agencies';
import { caseWorkflowId } from '../src/domain/case-state';
import { JUDGE, POLICE, PROSECUTION } from '../test/support/case-steps';

/** The same people as the integration tests (as the gateway builds them from verified tokens). */
export { JUDGE, POLICE, PROSECUTION };

export function benchCase(caseId: string) {
  return {
    caseId,
    codename: 'BENCH',
    jurisdiction: 'PE-LIM',
    crimeTypes: ['human-trafficking'],
    leadProsecutor: { staffId: 'fiscal-1' },
  };
}

/** The commands of one short lifecycle, in order (B1); `open` comes first and is not an Update. */
export const LIFECYCLE_COMMANDS = [
  'startInvestigation',
  'addSuspect',
  'addLocation',
  'requestWarrant',
  'approveWarrant',
  'planRaid',
  'reportLocation',
  'recordArrest',
  'endDetention',
  'fileCharges',
  'openTrial',
  'recordVerdict',
  'waiveAppeal',
  'closeCase',
] as const;

export interface Lifecycle {
  caseId: string;
  /** The case workflow and the raid it started: the workflows whose histories the lifecycle wrote. */
  workflowIds: string[];
  /** Client calls made: the open plus one Update per command. */
  calls: number;
}

/**
 * A complete short lifecycle under the default deadline policy (no deadline is due within the run, so
 * no timer fires): open → investigation → suspect, location → search warrant requested and approved →
 * raid planned (child workflow) → location reported (raid completes, signals the case) → arrest →
 * release → charges → trial → verdict → close; then waits until the case workflow has finished
 * (its last events published).
 */
export async function runLifecycle(cases: CaseService, caseId: string): Promise<Lifecycle> {
  const cmd = (name: string, by: Actor, args: Record<string, unknown> = {}) => cases.command(caseId, name, by, args);
  await cases.open(PROSECUTION, benchCase(caseId));
  await cmd('startInvestigation', PROSECUTION);
  const suspectRef = String(
    (await cmd('addSuspect', PROSECUTION, { name: 'Bench Suspect', roles: ['member'] })).suspectRef,
  );
  const locationRef = String((await cmd('addLocation', POLICE, { kind: 'home', district: 'Cercado' })).locationRef);
  const { warrantRef } = await cmd('requestWarrant', PROSECUTION, { kind: 'search', locationRefs: [locationRef] });
  await cmd('approveWarrant', JUDGE, { warrantRef });
  const raid = await cmd('planRaid', POLICE, { locationRefs: [locationRef] });
  const raidRef = String(raid.raidRef);
  await cmd('reportLocation', POLICE, { raidRef, locationRef, outcome: 'secured' });
  const { arrestRef } = await cmd('recordArrest', POLICE, {
    suspectRef,
    offenceClass: 'trafficking',
    inFlagrante: true,
    raidRef,
    locationRef,
  });
  await cmd('endDetention', JUDGE, { arrestRef, outcome: 'released' });
  await cmd('fileCharges', PROSECUTION, { suspectRefs: [suspectRef], offences: ['human-trafficking'] });
  await cmd('openTrial', JUDGE);
  await cmd('recordVerdict', JUDGE, { verdicts: [{ suspectRef, outcome: 'convicted', sentenceMonths: 60 }] });
  await cmd('waiveAppeal', JUDGE, { suspectRefs: [suspectRef] });
  await cmd('closeCase', PROSECUTION);
  const workflowId = caseWorkflowId(caseId);
  await cases.client.workflow.getHandle(workflowId).result();
  const raidWorkflowId = String(raid.workflowId);
  await cases.client.workflow.getHandle(raidWorkflowId).result();
  return { caseId, workflowIds: [workflowId, raidWorkflowId], calls: 1 + LIFECYCLE_COMMANDS.length };
}

/** An open case under investigation with one suspect and one location (B3's "open case"). */
export async function openInvestigatingCase(cases: CaseService, caseId: string): Promise<void> {
  await cases.open(PROSECUTION, benchCase(caseId));
  await cases.command(caseId, 'startInvestigation', PROSECUTION);
  await cases.command(caseId, 'addSuspect', PROSECUTION, { name: 'Bench Suspect', roles: ['member'] });
  await cases.command(caseId, 'addLocation', POLICE, { kind: 'home', district: 'Cercado' });
}
