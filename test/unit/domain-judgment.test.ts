/**
 * Judgment defendant by defendant (src/domain/commands/judgment.ts): a verdict or a severance for each
 * charged defendant before JUDGMENT; an appeal window per verdict; appeals before the appellate court
 * (upheld, overturned, retrial); a case closes only when every judgment is final. Every refusal leaves the
 * state as it was.
 */
import { onCaseDeadline } from '../../src/domain/commands';
import { takeDue } from '../../src/domain/deadlines';
import type { CaseState } from '../../src/domain/state';
import { toAgencyMessages } from '../../src/domain/views';
import { AS, CLERK, FAST_POLICY, NOW, SECOND, caseAt, lastEvent, refuse, run } from './domain-fixtures';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A trial of seven defendants (the case): S-1..S-7 charged, trial open. The fixture's S-1 and S-2
 * plus five more suspects.
 */
function sevenOnTrial(policy = FAST_POLICY): CaseState {
  const state = caseAt('PROSECUTION', { policy });
  for (let i = 3; i <= 7; i++) run(state, 'addSuspect', AS.PROSECUTION, { name: `Acusado ${i}`, roles: ['member'] });
  run(state, 'fileCharges', AS.PROSECUTION, {
    suspectRefs: ['S-2', 'S-3', 'S-4', 'S-5', 'S-6', 'S-7'],
    offences: ['human-trafficking', 'forced-labour'],
  });
  run(state, 'endDetention', AS.JUDICIARY, { arrestRef: 'A-1', outcome: 'remanded' });
  run(state, 'openTrial', AS.JUDICIARY);
  return state;
}

const statuses = (state: CaseState) =>
  Object.fromEntries(Object.values(state.defendants).map((d) => [d.suspectRef, d.status]));

describe('verdicts per defendant', () => {
  it('a verdict for one of seven defendants leaves the case on trial; the others still get theirs', () => {
    const state = sevenOnTrial();
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 240 }],
    });
    expect(state.stage).toBe('TRIAL');
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: [
        { suspectRef: 'S-2', outcome: 'convicted', sentenceMonths: 120 },
        { suspectRef: 'S-3', outcome: 'acquitted' },
        { suspectRef: 'S-4', outcome: 'dismissed' },
        { suspectRef: 'S-5', outcome: 'convicted', sentenceMonths: 60 },
      ],
    });
    expect(state.stage).toBe('TRIAL');
    run(state, 'severDefendant', AS.JUDICIARY, { suspectRef: 'S-6', reason: 'fugitive' });
    expect(state.stage).toBe('TRIAL');
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-7', outcome: 'acquitted' }] });
    expect(state.stage).toBe('JUDGMENT');
    expect(statuses(state)).toEqual({
      'S-1': 'judged',
      'S-2': 'judged',
      'S-3': 'judged',
      'S-4': 'judged',
      'S-5': 'judged',
      'S-6': 'severed',
      'S-7': 'judged',
    });
    expect(lastEvent(state, 'verdict-recorded').data).toMatchObject({ convicted: 0, acquitted: 1, dismissed: 0 });
  });

  it('each verdict opens its own appeal window, from the policy', () => {
    const state = sevenOnTrial();
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] }, NOW);
    run(
      state,
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-2', outcome: 'acquitted' }] },
      NOW + 5 * SECOND,
    );
    const window = 10 * 86_400_000; // the default policy's 10d (FAST_POLICY keeps it)
    expect(state.defendants['S-1']!.appealUntil).toBe(iso(NOW + window));
    expect(state.defendants['S-2']!.appealUntil).toBe(iso(NOW + 5 * SECOND + window));
    expect(state.deadlines.filter((d) => d.kind === 'appeal-window').map((d) => d.ref)).toEqual(['S-1', 'S-2']);
  });

  // A suspect never charged gets no verdict: domain-rules.test.ts.
  it('a defendant with a verdict gets no second one', () => {
    const state = sevenOnTrial();
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] });
    refuse(
      state,
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-1', outcome: 'convicted', sentenceMonths: 12 }] },
      'CONFLICT',
      /^verdicts\[0\]\.suspectRef: S-1 already has a verdict \(acquitted\); it may be appealed until /,
    );
  });

  it('a sentence goes with a conviction only, and a verdict names each defendant once (invalid input)', () => {
    const state = sevenOnTrial();
    refuse(
      state,
      'recordVerdict',
      AS.JUDICIARY,
      { verdicts: [{ suspectRef: 'S-1', outcome: 'dismissed', sentenceMonths: 1 }] },
      'INVALID_ARGUMENTS',
      /^args\.verdicts\.0\.sentenceMonths: only a conviction carries a sentence$/,
    );
    refuse(
      state,
      'recordVerdict',
      AS.JUDICIARY,
      {
        verdicts: [
          { suspectRef: 'S-3', outcome: 'acquitted' },
          { suspectRef: 'S-3', outcome: 'dismissed' },
        ],
      },
      'INVALID_ARGUMENTS',
      /^args\.verdicts: must not give two verdicts for one defendant$/,
    );
  });
});

describe('severance', () => {
  it("a severed defendant's proceedings stay open and visible; the verdict of the separate trial comes in JUDGMENT", () => {
    const state = sevenOnTrial();
    run(state, 'severDefendant', AS.JUDICIARY, { suspectRef: 'S-6', reason: 'contempt-of-court' });
    expect(state.defendants['S-6']).toMatchObject({
      status: 'severed',
      severance: { at: iso(NOW), reason: 'contempt-of-court' },
    });
    expect(lastEvent(state, 'defendant-severed').data).toEqual({ suspectRef: 'S-6', reason: 'contempt-of-court' });
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: ['S-1', 'S-2', 'S-3', 'S-4', 'S-5', 'S-7'].map((suspectRef) => ({ suspectRef, outcome: 'acquitted' })),
    });
    expect(state.stage).toBe('JUDGMENT');
    run(state, 'waiveAppeal', AS.JUDICIARY, { suspectRefs: ['S-1', 'S-2', 'S-3', 'S-4', 'S-5', 'S-7'] });
    refuse(
      state,
      'closeCase',
      AS.PROSECUTION,
      {},
      'PRECONDITION',
      /^the judgments of S-6 \(severed, to be tried apart\) are not final: a case closes when every judgment is final$/,
    );
    // Tried later (in the case's JUDGMENT stage): the verdict opens its own window.
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: [{ suspectRef: 'S-6', outcome: 'convicted', sentenceMonths: 96 }],
    });
    expect(state.defendants['S-6']).toMatchObject({ status: 'judged', verdict: { outcome: 'convicted' } });
    expect(state.defendants['S-6']!.severance).toBeUndefined();
  });

  it('a severance is for a defendant awaiting a verdict, once', () => {
    const state = sevenOnTrial();
    run(state, 'severDefendant', AS.JUDICIARY, { suspectRef: 'S-6', reason: 'fugitive' });
    refuse(
      state,
      'severDefendant',
      AS.JUDICIARY,
      { suspectRef: 'S-6', reason: 'fugitive' },
      'CONFLICT',
      /^suspectRef: the proceedings of S-6 are already severed$/,
    );
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] });
    refuse(
      state,
      'severDefendant',
      AS.JUDICIARY,
      { suspectRef: 'S-1', reason: 'other' },
      'CONFLICT',
      /^suspectRef: S-1 already has a verdict; /,
    );
  });
});

describe('appeals and final judgment', () => {
  function judged(): CaseState {
    const state = sevenOnTrial();
    run(state, 'recordVerdict', AS.JUDICIARY, {
      verdicts: ['S-1', 'S-2', 'S-3', 'S-4', 'S-5', 'S-6', 'S-7'].map((suspectRef) => ({
        suspectRef,
        outcome: 'convicted',
        sentenceMonths: 120,
      })),
    });
    return state;
  }

  it('an appeal keeps the proceedings open before the appellate court, with a task for JUDICIARY', () => {
    const state = judged();
    const { result } = run(state, 'lodgeAppeal', CLERK, { suspectRef: 'S-2', by: 'defence' });
    expect(state.defendants['S-2']).toMatchObject({ status: 'appealed', appeals: [{ by: 'defence' }] });
    expect(state.deadlines.some((d) => d.kind === 'appeal-window' && d.ref === 'S-2')).toBe(false);
    expect(state.tasks[String(result.taskId)]).toMatchObject({
      kind: 'decide-appeal',
      ref: 'S-2',
      assignee: 'JUDICIARY',
      status: 'open',
    });
    refuse(
      state,
      'lodgeAppeal',
      AS.PROSECUTION,
      { suspectRef: 'S-2', by: 'prosecution' },
      'CONFLICT',
      /^suspectRef: the verdict of S-2 is already under appeal$/,
    );
    // An appellate hearing is about an appeal pending.
    run(state, 'scheduleHearing', CLERK, { kind: 'appeal', suspectRef: 'S-2', at: iso(NOW + 86_400_000) });
    refuse(
      state,
      'scheduleHearing',
      CLERK,
      { kind: 'appeal', suspectRef: 'S-3', at: iso(NOW + 86_400_000) },
      'PRECONDITION',
      /^suspectRef: S-3 has no appeal pending/,
    );
    refuse(
      state,
      'scheduleHearing',
      CLERK,
      { kind: 'appeal', at: iso(NOW + 86_400_000) },
      'INVALID_ARGUMENTS',
      /^args\.suspectRef: an appellate hearing names the defendant whose appeal it hears$/,
    );
    refuse(state, 'closeCase', AS.PROSECUTION, {}, 'PRECONDITION', /S-2 \(before the appellate court\)/);
  });

  it('the prosecution lodges its own appeals; the court registers the defence', () => {
    refuse(
      judged(),
      'lodgeAppeal',
      AS.PROSECUTION,
      { suspectRef: 'S-1', by: 'defence' },
      'NOT_PERMITTED',
      /^by: the prosecution lodges its own appeals/,
    );
  });

  it('upheld: final; overturned: the new verdict, final; retrial: a new verdict and a new window', () => {
    const state = judged();
    for (const s of ['S-1', 'S-2', 'S-3']) run(state, 'lodgeAppeal', CLERK, { suspectRef: s, by: 'defence' });
    run(state, 'decideAppeal', AS.JUDICIARY, { suspectRef: 'S-1', decision: 'upheld' });
    expect(state.defendants['S-1']).toMatchObject({ status: 'final', verdict: { outcome: 'convicted' } });
    run(state, 'decideAppeal', AS.JUDICIARY, { suspectRef: 'S-2', decision: 'overturned', outcome: 'acquitted' });
    expect(state.defendants['S-2']).toMatchObject({
      status: 'final',
      verdict: { outcome: 'acquitted', court: 'appeal' },
      appeals: [{ by: 'defence', decision: 'overturned' }],
    });
    expect(state.verdicts.filter((v) => v.suspectRef === 'S-2').map((v) => v.outcome)).toEqual([
      'convicted',
      'acquitted',
    ]);
    run(state, 'decideAppeal', AS.JUDICIARY, { suspectRef: 'S-3', decision: 'retrial' });
    expect(state.defendants['S-3']).toMatchObject({ status: 'awaiting-verdict' });
    expect(state.defendants['S-3']!.verdict).toBeUndefined();
    expect(
      Object.values(state.tasks)
        .filter((t) => t.kind === 'decide-appeal')
        .map((t) => t.outcome),
    ).toEqual(['upheld', 'overturned', 'retrial']);
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-3', outcome: 'dismissed' }] });
    expect(state.defendants['S-3']).toMatchObject({ status: 'judged', verdict: { outcome: 'dismissed' } });
    expect(
      state.outbox.filter((e) => e.type === 'judgment-final').map((e) => [e.data.suspectRef, e.data.reason]),
    ).toEqual([
      ['S-1', 'appeal-upheld'],
      ['S-2', 'appeal-overturned'],
    ]);
  });

  it('an overturned verdict names the new outcome; no other decision does (invalid input)', () => {
    const state = judged();
    run(state, 'lodgeAppeal', CLERK, { suspectRef: 'S-1', by: 'defence' });
    const rule = /^args\.outcome: is given when, and only when, the decision is overturned/;
    refuse(
      state,
      'decideAppeal',
      AS.JUDICIARY,
      { suspectRef: 'S-1', decision: 'overturned' },
      'INVALID_ARGUMENTS',
      rule,
    );
    refuse(
      state,
      'decideAppeal',
      AS.JUDICIARY,
      { suspectRef: 'S-1', decision: 'upheld', outcome: 'acquitted' },
      'INVALID_ARGUMENTS',
      rule,
    );
    refuse(
      state,
      'decideAppeal',
      AS.JUDICIARY,
      { suspectRef: 'S-4', decision: 'upheld' },
      'PRECONDITION',
      /^suspectRef: S-4 has no appeal pending$/,
    );
  });

  it('the window closing unused makes the judgment final (a system event on the timeline); then no appeal', () => {
    const policy = { ...FAST_POLICY, appeal: { window: '5s', decision: '1h' } };
    const state = sevenOnTrial(policy);
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] });
    const later = NOW + 5 * SECOND;
    for (const d of takeDue(state, later)) onCaseDeadline(state, d, later);
    expect(state.defendants['S-1']).toMatchObject({ status: 'final', finalAt: iso(later) });
    expect(lastEvent(state, 'judgment-final').data).toEqual({
      suspectRef: 'S-1',
      outcome: 'acquitted',
      reason: 'appeal-window-closed',
    });
    expect(state.timeline.at(-1)).toEqual({ at: iso(later), type: 'judgment-final', source: 'system', ref: 'S-1' });
    refuse(
      state,
      'lodgeAppeal',
      CLERK,
      { suspectRef: 'S-1', by: 'defence' },
      'PRECONDITION',
      /^suspectRef: the judgment of S-1 is final since .*: no more appeal$/,
    );
  });

  it('a window that has passed refuses an appeal even before its timer fired', () => {
    const policy = { ...FAST_POLICY, appeal: { window: '5s', decision: '1h' } };
    const state = sevenOnTrial(policy);
    run(state, 'recordVerdict', AS.JUDICIARY, { verdicts: [{ suspectRef: 'S-1', outcome: 'acquitted' }] });
    refuse(
      state,
      'lodgeAppeal',
      CLERK,
      { suspectRef: 'S-1', by: 'defence' },
      'PRECONDITION',
      /^suspectRef: the appeal window of S-1 closed at /,
      NOW + 6 * SECOND,
    );
  });

  it('a waiver makes the named judgments final now; the case closes when all are', () => {
    const state = judged();
    const all = ['S-1', 'S-2', 'S-3', 'S-4', 'S-5', 'S-6', 'S-7'];
    run(state, 'waiveAppeal', CLERK, { suspectRefs: all.slice(0, 6) });
    refuse(
      state,
      'closeCase',
      AS.PROSECUTION,
      {},
      'PRECONDITION',
      /^the judgments of S-7 \(appeal window open until .*\) are not final/,
    );
    refuse(
      state,
      'waiveAppeal',
      CLERK,
      { suspectRefs: ['S-7', 'S-1'] },
      'CONFLICT',
      /^suspectRefs\[1\]: the judgment of S-1 is already final$/,
    );
    run(state, 'waiveAppeal', CLERK, { suspectRefs: ['S-7'] });
    expect(state.deadlines.filter((d) => d.kind === 'appeal-window')).toEqual([]);
    expect(run(state, 'closeCase', AS.PROSECUTION).result).toEqual({ stage: 'CLOSED' });
  });

  it('PARTNER hears of final judgments as outcomes only; OVERSIGHT hears all of an appeal', () => {
    const state = judged();
    run(state, 'lodgeAppeal', CLERK, { suspectRef: 'S-1', by: 'defence' });
    run(state, 'decideAppeal', AS.JUDICIARY, { suspectRef: 'S-1', decision: 'upheld' });
    const final = toAgencyMessages(state.workflowId, lastEvent(state, 'judgment-final'));
    expect(final.find((m) => m.recipient === 'PARTNER')?.event.data).toEqual({
      caseId: state.caseId,
      outcome: 'convicted',
    });
    const decided = toAgencyMessages(state.workflowId, lastEvent(state, 'appeal-decided'));
    expect(decided.find((m) => m.recipient === 'OVERSIGHT')?.event.data).toMatchObject({
      suspectRef: 'S-1',
      decision: 'upheld',
    });
  });
});
