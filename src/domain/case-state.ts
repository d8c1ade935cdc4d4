/** Opening a case: its workflow id, its first state, and the snapshot agencies query. */
import type { z } from 'zod';
import type { RecordedOpenCaseInput } from './case';
import { emit } from './outbox';
import { resolvePolicy, type DeadlinePolicy } from './policy';
import type { CaseState } from './state';
import { openTasks } from './task-ops';

/** The workflow id of a case: derived, so any agency can address it from the case id alone. */
export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

export function openCaseState(
  input: z.output<typeof RecordedOpenCaseInput>,
  now: number,
  policy?: DeadlinePolicy,
): CaseState {
  const at = new Date(now).toISOString();
  const state: CaseState = {
    kind: 'case',
    caseId: input.caseId,
    workflowId: caseWorkflowId(input.caseId),
    policy: policy ?? input.policy ?? resolvePolicy(),
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
      official: s.official ? { agency: s.official.agency, current: s.official.current } : undefined,
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
    })),
    arrests: Object.values(state.arrests).map((a) => ({
      ref: a.ref,
      suspectRef: a.suspectRef,
      status: a.status,
      offenceClass: a.offenceClass,
      detentionLimitAt: new Date(a.limitAt).toISOString(),
      clockRunning: a.status === 'held',
      lapsed: a.status === 'held' && a.limitAt <= now,
    })),
    custodyChains: Object.values(state.items).map((i) => ({ ref: i.ref, kind: i.kind, custody: i.custody })),
    charges: Object.values(state.charges),
    hearings: Object.values(state.hearings),
    verdicts: state.verdicts,
    openTasks: openTasks(state),
    nextDeadlines: state.deadlines.slice(0, 10).map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
    pendingEvents: state.outbox.length,
    eventsEmitted: state.counters.event,
  };
}
export type CaseSnapshot = ReturnType<typeof caseSnapshot>;
