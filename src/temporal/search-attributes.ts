/**
 * Typed search attributes for finding cases in the Web UI and `cases list`. Never personal data:
 * search attributes are stored and shown unencrypted. The names and types must match
 * search-attributes.json, which the dev-stack script registers (a unit test keeps the two in step).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CaseIdKey = defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD);
export const CaseStageKey = defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD);
export const LeadAgencyKey = defineSearchAttributeKey('LeadAgency', SearchAttributeType.KEYWORD);
export const JurisdictionKey = defineSearchAttributeKey('Jurisdiction', SearchAttributeType.KEYWORD);
export const OpenTaskAgenciesKey = defineSearchAttributeKey('OpenTaskAgencies', SearchAttributeType.KEYWORD_LIST);
export const MinorsInvolvedKey = defineSearchAttributeKey('MinorsInvolved', SearchAttributeType.BOOL);
export const CasePriorityKey = defineSearchAttributeKey('CasePriority', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTE_KEYS = [
  CaseIdKey,
  CaseStageKey,
  LeadAgencyKey,
  JurisdictionKey,
  OpenTaskAgenciesKey,
  MinorsInvolvedKey,
  CasePriorityKey,
];
