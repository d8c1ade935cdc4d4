/**
 * Whether a caller may read a case at all, asked of the case itself (the caseAccess query) and kept for a
 * moment, since a page of inbox tasks may name the same case many times. A case the caller is shut out of
 * and a case that does not exist give the same answer.
 */
import { checkAccess, isShutOut, noSuchCase, type AccessFacts } from '../domain/access';
import type { Actor } from '../domain/agencies';
import { CaseNotFoundError } from '../client/errors';
import type { CaseService } from '../temporal/case-service';
import { GatewayProblem } from './problems';

export class CaseAccess {
  private readonly cache = new Map<string, { at: number; facts: Promise<AccessFacts | null> }>();

  constructor(
    private readonly cases: Pick<CaseService, 'access'>,
    /** How long an answer is reused. Short: a restriction must take hold within seconds. */
    private readonly ttlMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The case's access facts, or null when there is no such case. */
  facts(caseId: string): Promise<AccessFacts | null> {
    const hit = this.cache.get(caseId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.facts;
    const facts = this.cases.access(caseId).catch((err: unknown) => {
      if (err instanceof CaseNotFoundError) return null;
      this.cache.delete(caseId);
      throw err;
    });
    this.cache.set(caseId, { at: this.now(), facts });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return facts;
  }

  /** Throws the 404 a missing case gets when the caller may not read `caseId`. */
  async check(actor: Actor, caseId: string): Promise<void> {
    const facts = await this.facts(caseId);
    if (!facts) throw new GatewayProblem(404, 'NOT_FOUND', noSuchCase(caseId));
    try {
      checkAccess(facts, actor);
    } catch {
      throw new GatewayProblem(404, 'NOT_FOUND', noSuchCase(caseId));
    }
  }

  async readable(actor: Actor, caseId: string): Promise<boolean> {
    const facts = await this.facts(caseId);
    return facts !== null && !isShutOut(facts, actor);
  }

  /** Forget what is known of a case (after a command that may change who may read it). */
  forget(caseId: string): void {
    this.cache.delete(caseId);
  }
}
