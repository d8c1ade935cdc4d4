/**
 * Desks for the reference story: each person who works the case, as a client. Through the gateway (the
 * demo, end-to-end tests) each desk holds its own person's token; straight on Temporal (workflow tests,
 * benchmarks: admin tooling) a desk is the case service with a fixed actor.
 */
import type { CasesClient } from '../client/cases-client';
import type { Actor } from '../domain/agencies';
import type { CaseService } from '../temporal/case-service';
import type { Desk, Desks } from './reference-case';

/** A desk over the gateway: `client` carries the person's token; `staffId` is the one in that token. */
export function gatewayDesk(client: CasesClient, staffId: string): Desk {
  return {
    staffId,
    open: (input) => client.open(input),
    command: async (caseId, name, args = {}) => (await client.command(caseId, name, args)).result,
    completeTask: (taskId, outcome) => client.task('complete', taskId, { outcome }),
    protection: (caseId, victimRef) => client.protection(caseId, victimRef),
  };
}

/** A desk straight on Temporal, acting as `actor` (only for code that holds Temporal access anyway). */
export function serviceDesk(cases: CaseService, actor: Actor): Desk {
  return {
    staffId: actor.staffId ?? '',
    open: (input) => cases.open(actor, input),
    command: (caseId, name, args = {}) => cases.command(caseId, name, actor, args),
    completeTask: (taskId, outcome) => cases.task('completeTask', taskId, actor, { outcome }),
    protection: (caseId, victimRef) => cases.protection(caseId, victimRef),
  };
}

/** The dev accounts (deploy/identity/dev-seed.json) who work the reference case through the gateway. */
export const REFERENCE_ACCOUNTS: Record<keyof Desks, string> = {
  prosecutor: 'fiscal-017',
  coordinator: 'fiscal-coord-02',
  police: 'pol-204',
  evidenceRoom: 'pol-311',
  judge: 'judge-9',
  care: 'social-12',
};

/** The same people as actors, for desks straight on Temporal (tests and benchmarks). */
export const REFERENCE_ACTORS: Record<keyof Desks, Actor> = {
  prosecutor: { agency: 'PROSECUTION', staffId: 'fiscal-017', roles: ['prosecutor'], subject: 'dev-fiscal-017' },
  coordinator: {
    agency: 'PROSECUTION',
    staffId: 'fiscal-coord-02',
    roles: ['coordinating-prosecutor'],
    subject: 'dev-fiscal-coord-02',
  },
  police: { agency: 'POLICE', staffId: 'pol-204', roles: ['police-officer'], subject: 'dev-pol-204' },
  evidenceRoom: { agency: 'POLICE', staffId: 'pol-311', roles: ['police-officer'], subject: 'dev-pol-311' },
  judge: { agency: 'JUDICIARY', staffId: 'judge-9', roles: ['judge'], subject: 'dev-judge-9' },
  care: { agency: 'CHILD_PROTECTION', staffId: 'social-12', roles: ['social-worker'], subject: 'dev-social-12' },
};

export function serviceDesks(cases: CaseService): Desks {
  const entries = Object.entries(REFERENCE_ACTORS).map(([k, actor]) => [k, serviceDesk(cases, actor)]);
  return Object.fromEntries(entries) as unknown as Desks;
}
