/**
 * What a task row needs to know of its case beyond the inbox entry: the jurisdiction (for its time zone) and, for a
 * warrant task, the warrant's kind ("Decide search warrant W-3"). Read from the case's status as the person's agency
 * sees it (statusView: the same need-to-know as the API) and kept per agency and case, since a page of tasks names the
 * same cases again and again. Jurisdictions never change; a warrant not known yet makes one fresh read.
 */
import type { Actor, Agency } from '../domain/agencies';
import { statusView } from '../domain/case-views';
import type { CaseService } from '../temporal/case-service';

export interface CaseFacts {
  jurisdiction?: string;
  warrantKinds: Record<string, string>;
}

const MAX_ENTRIES = 5_000;
/** A case read again at most this often when a reference is missing (a flood of unknown references stays cheap). */
const REFRESH_MS = 1_000;

export class CaseFactsCache {
  readonly #entries = new Map<string, { at: number; facts: Promise<CaseFacts> }>();

  constructor(
    private readonly cases: Pick<CaseService, 'status'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Facts of `caseId` for the agency; `needWarrant` forces a fresh read when that warrant is not known yet. */
  async get(actor: Pick<Actor, 'agency'>, caseId: string, needWarrant?: string): Promise<CaseFacts> {
    const key = `${actor.agency}|${caseId}`;
    const hit = this.#entries.get(key);
    if (hit) {
      const facts = await hit.facts.catch(() => undefined);
      const fresh = this.now() - hit.at < REFRESH_MS;
      if (facts && (!needWarrant || needWarrant in facts.warrantKinds || fresh)) return facts;
    }
    return this.#load(key, actor.agency, caseId);
  }

  #load(key: string, agency: Agency, caseId: string): Promise<CaseFacts> {
    const facts = this.cases.status(caseId).then((snapshot) => {
      const view = statusView(snapshot, { agency });
      const warrantKinds: Record<string, string> = {};
      for (const w of view.warrants ?? []) warrantKinds[w.ref] = w.kind;
      return { ...(view.jurisdiction ? { jurisdiction: view.jurisdiction } : {}), warrantKinds };
    });
    facts.catch(() => this.#entries.delete(key));
    this.#entries.delete(key);
    this.#entries.set(key, { at: this.now(), facts });
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    return facts;
  }
}
