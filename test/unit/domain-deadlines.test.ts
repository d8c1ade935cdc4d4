/**
 * Deadlines as policy, driven by hand the way the workflow's deadline loop does it: `takeDue` at a
 * later instant, then `onCaseDeadline` for each due deadline. The policy is seconds-scale
 * (FAST_POLICY): detention 10s for child-sale, 20s for organized crime, warning 3s before, extension
 * 30s; warrants valid 60s; tasks due in 8s with a reminder 3s before.
 */
import { executeCaseCommand, onCaseDeadline } from '../../src/domain/commands';
import { CURRENT_RULES, type Rules } from '../../src/domain/rule-changes';
import { takeDue } from '../../src/domain/deadlines';
import type { CaseState, Deadline } from '../../src/domain/state';
import { decideTaskCommand, validateTaskCommand } from '../../src/domain/task-commands';
import { openTask } from '../../src/domain/task-ops';
import { toAgencyMessages } from '../../src/domain/views';
import {
  AS,
  FAST_POLICY,
  NOW,
  SECOND,
  caseAt,
  eventTypes,
  lastEvent,
  newCommandId,
  refuse,
  rejectionOf,
  run,
} from './domain-fixtures';

/** What the workflow does when it wakes at `now`: fires every due deadline, earliest first. */
function wakeAt(state: CaseState, now: number, rules: Rules = CURRENT_RULES): Deadline[] {
  const due = takeDue(state, now);
  for (const deadline of due) onCaseDeadline(state, deadline, now, rules);
  return due;
}

/** How a history recorded before the lapse rule replays: its old rules, its handlers without validators. */
const BEFORE_LAPSE_RULE: Rules = (change) => change !== 'lapsed-detention-release-only';

const kindsOf = (deadlines: Deadline[]) => deadlines.map((d) => `${d.kind}:${d.ref}`);
const iso = (ms: number) => new Date(ms).toISOString();
const tasksOf = (state: CaseState, kind: string) => Object.values(state.tasks).filter((t) => t.kind === kind);

describe('detention clocks', () => {
  const T0 = NOW + SECOND; // the arrest
  function arrested(): CaseState {
    const state = caseAt('OPERATION', { policy: FAST_POLICY });
    run(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-2', offenceClass: 'child-sale', warrantRef: 'W-2', raidRef: 'R-1', locationRef: 'L-2' },
      T0,
    );
    return state;
  }

  it('an arrest schedules a warning before the limit and the expiry at it', () => {
    const state = arrested();
    expect(state.arrests['A-1']).toMatchObject({ status: 'held', limitAt: T0 + 10 * SECOND, extensions: 0 });
    expect(state.deadlines).toEqual(
      expect.arrayContaining([
        { id: 'detention-warning:A-1', kind: 'detention-warning', ref: 'A-1', at: T0 + 7 * SECOND },
        { id: 'detention-expiry:A-1', kind: 'detention-expiry', ref: 'A-1', at: T0 + 10 * SECOND },
      ]),
    );
    expect(lastEvent(state, 'arrest-recorded').data).toMatchObject({
      arrestRef: 'A-1',
      detentionLimitAt: iso(T0 + 10 * SECOND),
    });
  });

  it('the limit follows the offence class', () => {
    const state = arrested();
    run(
      state,
      'recordArrest',
      AS.POLICE,
      { suspectRef: 'S-1', offenceClass: 'organized-crime', warrantRef: 'W-2' },
      T0,
    );
    expect(state.arrests['A-2']!.limitAt).toBe(T0 + 20 * SECOND);
  });

  it('nothing fires before its time', () => {
    const state = arrested();
    const outbox = state.outbox.length;
    expect(wakeAt(state, T0 + 7 * SECOND - 1)).toEqual([]);
    expect(state.outbox).toHaveLength(outbox);
  });

  it('fires detention-warning, then detention-expired: release tasks for JUDICIARY and PROSECUTION, a review for OVERSIGHT', () => {
    const state = arrested();
    expect(kindsOf(wakeAt(state, T0 + 7 * SECOND))).toEqual(['detention-warning:A-1']);
    expect(lastEvent(state, 'detention-warning').data).toEqual({
      arrestRef: 'A-1',
      suspectRef: 'S-2',
      detentionLimitAt: iso(T0 + 10 * SECOND),
    });
    expect(tasksOf(state, 'release-detainee')).toEqual([]);

    expect(kindsOf(wakeAt(state, T0 + 10 * SECOND))).toEqual(['detention-expiry:A-1']);
    const tasks = tasksOf(state, 'release-detainee');
    expect(tasks.map((t) => t.assignee)).toEqual(['JUDICIARY', 'PROSECUTION']);
    for (const t of tasks) {
      expect(t).toMatchObject({ ref: 'A-1', status: 'open', escalateTo: ['OVERSIGHT'], dueAt: iso(T0 + 13 * SECOND) });
      expect(t.title).toBe('Release arrestee A-1 (suspect S-2): detention limit lapsed');
    }
    const [review] = tasksOf(state, 'review-unlawful-detention');
    expect(review).toMatchObject({ ref: 'A-1', assignee: 'OVERSIGHT', escalateTo: ['PROSECUTION'] });
    expect(lastEvent(state, 'detention-expired').data).toEqual({
      arrestRef: 'A-1',
      suspectRef: 'S-2',
      detentionLimitAt: iso(T0 + 10 * SECOND),
      unlawfulSince: iso(T0 + 10 * SECOND),
      taskIds: [...tasks.map((t) => t.id), review!.id],
    });
    const created = state.outbox.filter(
      (e) => e.type === 'task-created' && (e.data.task as { kind: string }).kind === 'release-detainee',
    );
    expect(created.map((e) => e.to)).toEqual([['JUDICIARY'], ['PROSECUTION']]);
    // The arrest is still held: lapsing is a fact to act on, not a release; the lapse is on the record.
    expect(state.arrests['A-1']).toMatchObject({ status: 'held', lapse: { from: iso(T0 + 10 * SECOND) } });
    // ...and on the timeline, as what the system did.
    expect(state.timeline.filter((e) => e.source === 'system')).toEqual([
      { at: iso(T0 + 7 * SECOND), type: 'detention-warning', source: 'system', ref: 'A-1' },
      { at: iso(T0 + 10 * SECOND), type: 'detention-expired', source: 'system', ref: 'A-1' },
    ]);
  });

  it('a late wake-up fires both, warning first', () => {
    const state = arrested();
    expect(kindsOf(wakeAt(state, T0 + 60 * SECOND)).filter((k) => k.startsWith('detention'))).toEqual([
      'detention-warning:A-1',
      'detention-expiry:A-1',
    ]);
    const types = eventTypes(state);
    expect(types.indexOf('detention-warning')).toBeLessThan(types.indexOf('detention-expired'));
  });

  it('after a lapse the only lawful ruling is release: extension and remand are refused, naming the rule', () => {
    const state = arrested();
    wakeAt(state, T0 + 10 * SECOND);
    const T1 = T0 + 11 * SECOND;
    const rule =
      /^arrestRef: the detention of A-1 lapsed at 2026-11-28T05:00:11\.000Z: the only lawful ruling is release/;
    refuse(state, 'extendDetention', AS.JUDICIARY, { arrestRef: 'A-1' }, 'PRECONDITION', rule, T1);
    refuse(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' }, 'PRECONDITION', rule, T1);
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' }, T1);
    expect(state.arrests['A-1']).toMatchObject({
      status: 'released',
      lapse: { from: iso(T0 + 10 * SECOND), until: iso(T1) },
    });
    expect(tasksOf(state, 'release-detainee').map((t) => [t.status, t.outcome])).toEqual([
      ['completed', 'released'],
      ['completed', 'released'],
    ]);
    // OVERSIGHT's review of the unlawful period stays open: the release does not answer it.
    expect(tasksOf(state, 'review-unlawful-detention').map((t) => t.status)).toEqual(['open']);
    expect(lastEvent(state, 'unlawful-detention-ended').data).toEqual({
      arrestRef: 'A-1',
      suspectRef: 'S-2',
      from: iso(T0 + 10 * SECOND),
      until: iso(T1),
    });
  });

  it('a release ruled before the expiry timer fired still records the lapse from the limit', () => {
    const state = arrested();
    const late = T0 + 12 * SECOND; // past the limit, before the workflow woke
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' }, late);
    expect(state.arrests['A-1']!.lapse).toEqual({ from: iso(T0 + 10 * SECOND), until: iso(late) });
  });

  it('a history from before the lapse rule replays as it ran: release-or-extend tasks, an extension after the lapse', () => {
    const state = arrested();
    wakeAt(state, T0 + 10 * SECOND, BEFORE_LAPSE_RULE);
    expect(tasksOf(state, 'release-or-extend').map((t) => t.assignee)).toEqual(['JUDICIARY', 'PROSECUTION']);
    expect(tasksOf(state, 'review-unlawful-detention')).toEqual([]);
    const T1 = T0 + 11 * SECOND;
    const { result } = executeCaseCommand(
      state,
      'extendDetention',
      { commandId: newCommandId(), actor: AS.JUDICIARY, args: { arrestRef: 'A-1' } },
      T1,
      BEFORE_LAPSE_RULE,
    );
    const limit = T1 + 30 * SECOND;
    expect(result).toEqual({ arrestRef: 'A-1', detentionLimitAt: iso(limit) });
    expect(state.arrests['A-1']).toMatchObject({ status: 'held', limitAt: limit, extensions: 1 });
    // The lapse stays on the record, ended by the (then lawful) extension.
    expect(state.arrests['A-1']!.lapse).toEqual({ from: iso(T0 + 10 * SECOND), until: iso(T1) });
    expect(tasksOf(state, 'release-or-extend').map((t) => [t.status, t.outcome])).toEqual([
      ['completed', 'extended'],
      ['completed', 'extended'],
    ]);
    const detention = state.deadlines.filter((d) => d.ref === 'A-1');
    expect(detention).toEqual([
      { id: 'detention-warning:A-1', kind: 'detention-warning', ref: 'A-1', at: limit - 3 * SECOND },
      { id: 'detention-expiry:A-1', kind: 'detention-expiry', ref: 'A-1', at: limit },
    ]);
    // The completed tasks no longer remind or escalate.
    const taskIds = new Set(tasksOf(state, 'release-or-extend').map((t) => t.id));
    expect(state.deadlines.filter((d) => taskIds.has(d.ref))).toEqual([]);
    expect(lastEvent(state, 'detention-extended').data).toEqual({
      arrestRef: 'A-1',
      suspectRef: 'S-2',
      detentionLimitAt: iso(limit),
    });
    // The new clock fires in its turn.
    expect(kindsOf(wakeAt(state, limit - 3 * SECOND))).toEqual(['detention-warning:A-1']);
  });

  it('an extension before the limit adds to the limit; one too short for a warning schedules only the expiry', () => {
    const state = arrested();
    run(state, 'extendDetention', AS.JUDICIARY, { arrestRef: 'A-1', extendBy: '5s' }, T0 + 2 * SECOND);
    expect(state.arrests['A-1']!.limitAt).toBe(T0 + 15 * SECOND);
    wakeAt(state, T0 + 12 * SECOND); // the warning of the extended clock
    run(state, 'extendDetention', AS.JUDICIARY, { arrestRef: 'A-1', extendBy: '2s' }, T0 + 14_500);
    expect(state.arrests['A-1']!.limitAt).toBe(T0 + 17 * SECOND);
    expect(state.deadlines.filter((d) => d.ref === 'A-1').map((d) => d.kind)).toEqual(['detention-expiry']);
  });

  it('ending detention stops the clock; a stale deadline for it does nothing', () => {
    const state = arrested();
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'released' }, T0 + SECOND);
    expect(state.deadlines.filter((d) => d.ref === 'A-1')).toEqual([]);
    const outbox = state.outbox.length;
    onCaseDeadline(
      state,
      { id: 'detention-expiry:A-1', kind: 'detention-expiry', ref: 'A-1', at: T0 + 10 * SECOND },
      T0 + 10 * SECOND,
    );
    expect(state.outbox).toHaveLength(outbox);
  });

  it('the first arrest opens the charge-filing window; filing charges closes it', () => {
    const state = arrested();
    const [task] = tasksOf(state, 'file-charges');
    expect(task).toMatchObject({
      assignee: 'PROSECUTION',
      ref: state.caseId,
      escalateTo: ['OVERSIGHT'],
      dueAt: iso(T0 + 3_600_000),
    });
    run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-1', offenceClass: 'trafficking', warrantRef: 'W-2' }, T0);
    expect(tasksOf(state, 'file-charges')).toHaveLength(1);
    run(
      state,
      'fileCharges',
      AS.PROSECUTION,
      { suspectRefs: ['S-1', 'S-2'], offences: ['human-trafficking'] },
      T0 + SECOND,
    );
    expect(state.tasks[task!.id]).toMatchObject({ status: 'completed', outcome: 'charges C-1' });
  });
});

describe('warrant validity', () => {
  it('an approved warrant that lapses emits warrant-expired', () => {
    const state = caseAt('INVESTIGATION', { policy: FAST_POLICY });
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' });
    expect(state.warrants['W-1']!.validUntil).toBe(iso(NOW + 60 * SECOND));
    expect(state.deadlines).toContainEqual({
      id: 'warrant-expiry:W-1',
      kind: 'warrant-expiry',
      ref: 'W-1',
      at: NOW + 60 * SECOND,
    });
    expect(kindsOf(wakeAt(state, NOW + 59 * SECOND))).not.toContain('warrant-expiry:W-1');
    expect(kindsOf(wakeAt(state, NOW + 60 * SECOND))).toEqual(['warrant-expiry:W-1']);
    expect(lastEvent(state, 'warrant-expired').data).toEqual({ warrantRef: 'W-1' });
  });

  it('validFor overrides the policy', () => {
    const state = caseAt('INVESTIGATION', { policy: FAST_POLICY });
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1', validFor: '2s' });
    expect(kindsOf(wakeAt(state, NOW + 2 * SECOND))).toEqual(['warrant-expiry:W-1']);
  });

  it('a denied warrant has no validity and never expires', () => {
    const state = caseAt('INVESTIGATION', { policy: FAST_POLICY });
    run(state, 'denyWarrant', AS.JUDICIARY, { warrantRef: 'W-1', reason: 'insufficient-grounds' });
    expect(state.deadlines.filter((d) => d.kind === 'warrant-expiry')).toEqual([]);
    onCaseDeadline(state, { id: 'warrant-expiry:W-1', kind: 'warrant-expiry', ref: 'W-1', at: NOW }, NOW + SECOND);
    expect(eventTypes(state)).not.toContain('warrant-expired');
  });
});

describe('human tasks: reminder, escalation, completion', () => {
  // requestWarrant (in the fixture, at NOW) opened "decide warrant W-1" for JUDICIARY, escalating to
  // PROSECUTION: due at NOW+8s, reminder at NOW+5s.
  function pendingWarrant() {
    const state = caseAt('INVESTIGATION', { policy: FAST_POLICY });
    const task = state.tasks[state.warrants['W-1']!.taskId]!;
    return { state, task };
  }

  it('a task is created with a due date, a reminder and escalation targets from policy', () => {
    const { state, task } = pendingWarrant();
    expect(task).toMatchObject({
      kind: 'decide-warrant',
      ref: 'W-1',
      assignee: 'JUDICIARY',
      dueAt: iso(NOW + 8 * SECOND),
      remindAt: [iso(NOW + 5 * SECOND)],
      escalateTo: ['PROSECUTION'],
      escalated: false,
      status: 'open',
    });
    expect(kindsOf(state.deadlines)).toEqual([`task-reminder:${task.id}`, `task-due:${task.id}`]);
  });

  it('the reminder goes to the assignee only', () => {
    const { state, task } = pendingWarrant();
    expect(kindsOf(wakeAt(state, NOW + 5 * SECOND))).toEqual([`task-reminder:${task.id}`]);
    const reminder = lastEvent(state, 'task-reminder');
    expect(reminder.to).toEqual(['JUDICIARY']);
    expect(reminder.data.task).toMatchObject({ id: task.id, remindAt: [] });
    expect(toAgencyMessages(state.workflowId, reminder).map((m) => m.recipient)).toEqual(['JUDICIARY', 'AUDIT']);
  });

  it('at the due date the task is escalated to the assignee and the escalateTo agencies', () => {
    const { state, task } = pendingWarrant();
    wakeAt(state, NOW + 5 * SECOND);
    expect(kindsOf(wakeAt(state, NOW + 8 * SECOND))).toEqual([`task-due:${task.id}`]);
    expect(state.tasks[task.id]!.escalated).toBe(true);
    const escalated = lastEvent(state, 'task-escalated');
    expect(escalated.to).toEqual(['JUDICIARY', 'PROSECUTION']);
    expect(toAgencyMessages(state.workflowId, escalated).map((m) => m.subject)).toEqual([
      'cases.JUDICIARY.task-escalated',
      'cases.PROSECUTION.task-escalated',
      'cases.AUDIT.task-escalated',
    ]);
  });

  it('an escalated task is seen by the escalation agencies, but a decision task closes only by its decision', () => {
    const { state, task } = pendingWarrant();
    const input = () => ({
      commandId: newCommandId(),
      actor: AS.PROSECUTION,
      args: { taskId: task.id, outcome: 'chased-judge' },
    });
    expect(rejectionOf(() => validateTaskCommand(state, 'completeTask', input())).code).toBe('NOT_PERMITTED');
    wakeAt(state, NOW + 8 * SECOND);
    const police = { commandId: newCommandId(), actor: AS.POLICE, args: { taskId: task.id } };
    expect(rejectionOf(() => validateTaskCommand(state, 'completeTask', police)).code).toBe('NOT_PERMITTED');
    // PROSECUTION now holds the escalated task, but closing it by hand would drop the judge's decision.
    const byHand = rejectionOf(() => validateTaskCommand(state, 'completeTask', input()));
    expect([byHand.code, byHand.message]).toEqual([
      'PRECONDITION',
      `taskId: task ${task.id} closes when approveWarrant or denyWarrant is done, not by hand`,
    ]);
    run(state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' }, NOW + 9 * SECOND);
    expect(state.tasks[task.id]).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      completedAt: iso(NOW + 9 * SECOND),
    });
    // Once escalated, the escalation agencies hold the task too: they hear how it ends.
    expect(lastEvent(state, 'task-completed').to).toEqual(['JUDICIARY', 'PROSECUTION']);
  });

  it('an escalated task done by hand may be completed by an escalation agency, and by nobody else', () => {
    const state = caseAt('OPERATION', { policy: FAST_POLICY });
    const task = openTask(
      state,
      {
        kind: 'medical-exam',
        title: 'Medical exam of minor V-1',
        ref: 'V-1',
        assignee: 'CHILD_PROTECTION',
        dueInMs: 5 * SECOND,
        escalateTo: ['OVERSIGHT'],
      },
      NOW,
    );
    wakeAt(state, NOW + 6 * SECOND);
    const by = (actor: typeof AS.POLICE) => ({
      commandId: newCommandId(),
      actor,
      args: { taskId: task.id, outcome: 'examined' },
    });
    expect(rejectionOf(() => validateTaskCommand(state, 'completeTask', by(AS.POLICE))).code).toBe('NOT_PERMITTED');
    const done = decideTaskCommand(state, 'completeTask', by(AS.OVERSIGHT), NOW + 7 * SECOND);
    expect(done.task).toMatchObject({ status: 'completed', outcome: 'examined' });
  });

  it('the release tasks escalate to OVERSIGHT, and close only when a judge rules', () => {
    const state = caseAt('OPERATION', { policy: FAST_POLICY });
    run(state, 'recordArrest', AS.POLICE, { suspectRef: 'S-2', offenceClass: 'child-sale', warrantRef: 'W-2' }, NOW);
    wakeAt(state, NOW + 10 * SECOND);
    const [forJudge] = tasksOf(state, 'release-detainee');
    wakeAt(state, NOW + 13 * SECOND);
    expect(state.tasks[forJudge!.id]!.escalated).toBe(true);
    expect(state.outbox.filter((e) => e.type === 'task-escalated').map((e) => e.to)).toEqual([
      ['JUDICIARY', 'OVERSIGHT'],
      ['PROSECUTION', 'OVERSIGHT'],
    ]);
    const byOversight = { commandId: newCommandId(), actor: AS.OVERSIGHT, args: { taskId: forJudge!.id } };
    expect(rejectionOf(() => validateTaskCommand(state, 'completeTask', byOversight)).code).toBe('PRECONDITION');
    run(state, 'endDetention', AS.JUDICIARY, { arrestRef: forJudge!.ref!, outcome: 'released' }, NOW + 14 * SECOND);
    expect(tasksOf(state, 'release-detainee').map((t) => state.tasks[t.id]!.status)).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('escalates once, and a task done in time neither reminds nor escalates', () => {
    const { state, task } = pendingWarrant();
    wakeAt(state, NOW + 8 * SECOND);
    onCaseDeadline(
      state,
      { id: `task-due:${task.id}`, kind: 'task-due', ref: task.id, at: NOW + 8 * SECOND },
      NOW + 9 * SECOND,
    );
    expect(eventTypes(state).filter((t) => t === 'task-escalated')).toHaveLength(1);

    const fresh = pendingWarrant();
    run(fresh.state, 'approveWarrant', AS.JUDICIARY, { warrantRef: 'W-1' }, NOW + SECOND);
    expect(fresh.state.tasks[fresh.task.id]).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(lastEvent(fresh.state, 'task-completed').to).toEqual(['JUDICIARY']);
    wakeAt(fresh.state, NOW + 8 * SECOND);
    expect(eventTypes(fresh.state)).not.toContain('task-reminder');
    expect(eventTypes(fresh.state)).not.toContain('task-escalated');
  });
});
