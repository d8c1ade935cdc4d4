/** Opening a case: its workflow ids, its first state, what search shows of it, and the snapshot agencies query. */
import type { Agency } from './actors';
import type { Defendant } from './case';
import { completePolicy, defaultPolicy } from './deadline-policy';
import type { RecordedPolicy } from './policy';
import type { OpenCase } from './input-schemas';
import { emit } from './outbox';
import type { Stage } from './stages';
import { upgradeOwnerState, type CaseState } from './state';
import { openTasks } from './task-ops';
import { iso } from './time';

/** The workflow id of a case: derived, so any agency can address it from the case id alone. */
export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/** The workflow id of a raid of the case (a child workflow). */
export function raidWorkflowId(caseId: string, raidRef: string): string {
  return `${caseWorkflowId(caseId)}-raid-${raidRef}`;
}

/** The workflow id of the protection of a rescued minor of the case (a child workflow that outlives it). */
export function protectionWorkflowId(caseId: string, victimRef: string): string {
  return `${caseWorkflowId(caseId)}-minor-${victimRef}`;
}

export function openCaseState(input: OpenCase, now: number, policy?: RecordedPolicy): CaseState {
  const at = iso(now);
  const recorded: RecordedPolicy | undefined = policy ?? input.policy;
  const state: CaseState = {
    kind: 'case',
    caseId: input.caseId,
    workflowId: caseWorkflowId(input.caseId),
    policy: recorded ? completePolicy(recorded) : defaultPolicy(),
    codename: input.codename,
    jurisdiction: input.jurisdiction,
    crimeTypes: input.crimeTypes,
    priority: input.priority,
    leadProsecutor: input.leadProsecutor,
    ...(input.summary ? { summary: input.summary } : {}),
    stage: 'INTAKE',
    openedAt: at,
    stageHistory: [{ stage: 'INTAKE', at }],
    counters: { S: 0, V: 0, WT: 0, L: 0, W: 0, R: 0, A: 0, E: 0, C: 0, H: 0, T: 0, event: 0 },
    suspects: {},
    victims: {},
    witnesses: {},
    locations: {},
    warrants: {},
    raids: {},
    arrests: {},
    items: {},
    charges: {},
    hearings: {},
    defendants: {},
    verdicts: [],
    tasks: {},
    deadlines: [],
    outbox: [],
    restrictedAgencies: [],
    clearedStaff: {},
    recentCommands: [],
    timeline: [{ at, type: 'openCase' }],
  };
  emit(
    state,
    'case-opened',
    {
      codename: input.codename,
      jurisdiction: input.jurisdiction,
      crimeTypes: input.crimeTypes,
      priority: input.priority,
      leadProsecutorStaffId: input.leadProsecutor.staffId,
    },
    now,
  );
  return state;
}

/**
 * State carried over by continue-as-new from a run that predates a field gets the field's value: the policy
 * completed (completePolicy), the proceedings of every charged suspect from the record of charges and
 * verdicts (a verdict was final when it was recorded then).
 */
export function upgradeCaseState(state: CaseState): CaseState {
  upgradeOwnerState(state);
  state.policy = completePolicy(state.policy);
  if (state.defendants === undefined) {
    state.defendants = {};
    for (const charge of Object.values(state.charges)) {
      for (const suspectRef of charge.suspectRefs) {
        if (state.defendants[suspectRef]) continue;
        const verdict = [...state.verdicts].reverse().find((v) => v.suspectRef === suspectRef);
        const defendant: Defendant = { suspectRef, chargedAt: charge.filedAt, status: 'awaiting-verdict', appeals: [] };
        if (verdict) {
          defendant.status = 'final';
          defendant.verdict = { outcome: verdict.outcome, at: verdict.at };
          if (verdict.sentenceMonths !== undefined) defendant.verdict.sentenceMonths = verdict.sentenceMonths;
          defendant.finalAt = verdict.at;
        }
        state.defendants[suspectRef] = defendant;
      }
    }
  }
  return state;
}

/**
 * What a case shows in search (Temporal search attributes, by name): never personal data, since search
 * attributes are stored and shown unencrypted. A case opens with those of its first state.
 */
export interface CaseSearchFacts {
  CaseId: string;
  CaseStage: Stage;
  LeadAgency: Agency;
  Jurisdiction: string;
  OpenTaskAgencies: Agency[];
  MinorsInvolved: boolean;
  CasePriority: CaseState['priority'];
}

export function caseSearchFacts(state: CaseState): CaseSearchFacts {
  return {
    CaseId: state.caseId,
    CaseStage: state.stage,
    LeadAgency: 'PROSECUTION',
    Jurisdiction: state.jurisdiction,
    OpenTaskAgencies: [...new Set(openTasks(state).map((t) => t.assignee))].sort(),
    MinorsInvolved: Object.values(state.victims).some((v) => v.minor),
    CasePriority: state.priority,
  };
}

/** What a raid's records add up to: everything recorded under it, also after it completed. */
export function raidFigures(state: CaseState, raidRef: string) {
  const count = <T extends { raidRef?: string }>(xs: Record<string, T>) =>
    Object.values(xs).filter((x) => x.raidRef === raidRef).length;
  return {
    arrests: count(state.arrests),
    seizures: count(state.items),
    minorsRescued: Object.values(state.victims).filter((v) => v.custody?.raidRef === raidRef).length,
  };
}

/** Whether an arrestee is held past the limit now, or ever was: a lapse stays on the record. */
export function hasLapsed(a: { status: string; limitAt: number; lapse?: unknown }, now: number): boolean {
  return a.lapse !== undefined || (a.status === 'held' && a.limitAt <= now);
}

/** What `cases status` shows: parties by reference and pseudonym only, never names or addresses. */
export function caseSnapshot(state: CaseState, now: number) {
  return {
    caseId: state.caseId,
    workflowId: state.workflowId,
    codename: state.codename,
    jurisdiction: state.jurisdiction,
    crimeTypes: state.crimeTypes,
    priority: state.priority,
    stage: state.stage,
    openedAt: state.openedAt,
    closedAt: state.closedAt,
    leadProsecutor: state.leadProsecutor,
    restrictedAgencies: state.restrictedAgencies,
    clearedStaff: state.clearedStaff,
    suspects: Object.values(state.suspects).map((s) => ({
      ref: s.ref,
      roles: s.roles,
      official: s.official
        ? {
            institution: s.official.institution,
            institutionRef: s.official.institutionRef,
            current: s.official.current,
            restricts: s.official.agency,
          }
        : undefined,
      charged: s.charged,
    })),
    victims: Object.values(state.victims).map((v) => ({
      ref: v.ref,
      minor: v.minor,
      ageMonths: v.ageMonths,
      inProtectiveCustody: v.custody !== undefined,
      protectionWorkflowId: v.custody?.protectionWorkflowId,
    })),
    witnesses: Object.values(state.witnesses).map((w) => ({ ref: w.ref, protected: w.protected })),
    locations: Object.values(state.locations).map((l) => ({ ref: l.ref, kind: l.kind, district: l.district })),
    warrants: Object.values(state.warrants).map(({ taskId: _t, ...w }) => w),
    raids: Object.values(state.raids).map((r) => ({
      ref: r.ref,
      status: r.status,
      startsAt: r.startsAt,
      locations: r.locationRefs.length,
      reported: Object.keys(r.reports).length,
      /** Per location: what the raid found there (secured, hostile, empty, aborted, no-entry). */
      outcomes: Object.fromEntries(Object.entries(r.reports).map(([l, report]) => [l, report.outcome])),
      figures: raidFigures(state, r.ref),
    })),
    arrests: Object.values(state.arrests).map((a) => ({
      ref: a.ref,
      suspectRef: a.suspectRef,
      status: a.status,
      offenceClass: a.offenceClass,
      basis: a.basis ?? 'unrecorded',
      detentionLimitAt: iso(a.limitAt),
      clockRunning: a.status === 'held',
      lapsed: hasLapsed(a, now),
      /** The legal record of the time held past the limit: from the limit to the release (open while held). */
      unlawfulDetention: a.lapse ?? (hasLapsed(a, now) ? { from: iso(a.limitAt) } : undefined),
      review: a.review ? { dueAt: a.review.dueAt, confirmedAt: a.review.confirmedAt } : undefined,
    })),
    custodyChains: Object.values(state.items).map((i) => ({ ref: i.ref, kind: i.kind, custody: i.custody })),
    charges: Object.values(state.charges),
    hearings: Object.values(state.hearings).map((h) => ({ ...h, status: h.status ?? 'scheduled' })),
    defendants: Object.values(state.defendants).map(({ appeals, ...d }) => ({
      ...d,
      appeals: appeals.map(({ taskId: _t, ...a }) => a),
    })),
    verdicts: state.verdicts,
    openTasks: openTasks(state),
    nextDeadlines: state.deadlines.slice(0, 10).map((d) => ({ ...d, at: iso(d.at) })),
    pendingEvents: state.outbox.length,
    eventsEmitted: state.counters.event,
  };
}
export type CaseSnapshot = ReturnType<typeof caseSnapshot>;
