/** What a case shows in search (src/domain/case-state.ts `caseSearchFacts`), as typed search attributes. */
import type { SearchAttributePair } from '@temporalio/common';
import type { CaseSearchFacts } from '../src/domain/case-state';
import {
  CaseIdKey,
  CasePriorityKey,
  CaseStageKey,
  JurisdictionKey,
  LeadAgencyKey,
  MinorsInvolvedKey,
  OpenTaskAgenciesKey,
} from '../src/temporal/search-attributes';

/** The typed pairs for a case's search facts: what it is started with, and upserts as it changes. */
export function caseSearchAttributes(facts: CaseSearchFacts): SearchAttributePair[] {
  return [
    { key: CaseIdKey, value: facts.CaseId },
    { key: CaseStageKey, value: facts.CaseStage },
    { key: LeadAgencyKey, value: facts.LeadAgency },
    { key: JurisdictionKey, value: facts.Jurisdiction },
    { key: OpenTaskAgenciesKey, value: facts.OpenTaskAgencies },
    { key: MinorsInvolvedKey, value: facts.MinorsInvolved },
    { key: CasePriorityKey, value: facts.CasePriority },
  ];
}

/** A raid is found by its case. */
export function raidSearchAttributes(caseId: string): SearchAttributePair[] {
  return [{ key: CaseIdKey, value: caseId }];
}

/** A minor's protection is found by its case, and among those that involve minors, by jurisdiction. */
export function protectionSearchAttributes(caseId: string, jurisdiction: string): SearchAttributePair[] {
  return [
    { key: CaseIdKey, value: caseId },
    { key: MinorsInvolvedKey, value: true },
    { key: JurisdictionKey, value: jurisdiction },
  ];
}
