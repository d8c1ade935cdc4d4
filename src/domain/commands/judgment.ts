/**
 * Judgment, defendant by defendant. Each charged suspect gets a verdict (convicted, acquitted, dismissed)
 * or is severed (a fugitive declared in contempt of court is tried later: those proceedings stay open).
 * The case reaches JUDGMENT when no defendant awaits a verdict any more. A verdict opens that defendant's
 * appeal window (policy); an appeal keeps the proceedings open before the appellate court, which upholds,
 * overturns or orders a retrial (a new verdict, a new window). A judgment is final when the window closes
 * unused, the parties waive appeal, or the appellate court decides; the case closes when all are final.
 */
import type { Defendant, VerdictOutcome } from '../case';
import { schedule, unschedule } from '../deadlines';
import { toMs } from '../durations';
import { reject } from '../errors';
import { emit } from '../outbox';
import type { CaseState, Deadline } from '../state';
import { completeTaskFor, openTask } from '../task-ops';
import { iso } from '../time';
import { command, requireRef, type CommandContext } from './define';

const APPEAL_TASK = 'decide-appeal';

/** The defendant a command names: a suspect the case charged. */
function defendantOf(state: CaseState, suspectRef: string, field: string): Defendant {
  requireRef(state.suspects, suspectRef, field, 'suspect');
  const d = Object.prototype.hasOwnProperty.call(state.defendants, suspectRef)
    ? state.defendants[suspectRef]
    : undefined;
  if (!d) return reject('PRECONDITION', `${field}: ${suspectRef} was never charged`);
  return d;
}

/** Whether no defendant but those in `deciding` still awaits a verdict. */
function noneAwaiting(state: CaseState, deciding: readonly string[]): boolean {
  return Object.values(state.defendants).every(
    (d) => d.status !== 'awaiting-verdict' || deciding.includes(d.suspectRef),
  );
}

function judgmentFinal(state: CaseState, d: Defendant, reason: string, now: number): void {
  d.status = 'final';
  d.finalAt = iso(now);
  unschedule(state, d.suspectRef, ['appeal-window']);
  emit(state, 'judgment-final', { suspectRef: d.suspectRef, outcome: d.verdict?.outcome, reason }, now);
}

/** A verdict of the trial court (or of a retrial): the appeal window opens. */
function giveVerdict(
  state: CaseState,
  d: Defendant,
  v: { outcome: VerdictOutcome; sentenceMonths?: number },
  { now, rules }: CommandContext,
): void {
  const at = iso(now);
  const sentence = v.sentenceMonths !== undefined ? { sentenceMonths: v.sentenceMonths } : {};
  state.verdicts.push({ suspectRef: d.suspectRef, outcome: v.outcome, ...sentence, at });
  d.verdict = { outcome: v.outcome, ...sentence, at };
  delete d.severance;
  if (rules('verdicts-per-defendant')) {
    const until = now + toMs(state.policy.appeal.window);
    d.status = 'judged';
    d.appealUntil = iso(until);
    schedule(state, 'appeal-window', d.suspectRef, until);
  } else {
    // Before appeals were recorded, a verdict was final when given.
    d.status = 'final';
    d.finalAt = at;
  }
}

export const recordVerdict = command('recordVerdict', {
  summary:
    'Record the verdict (convicted, acquitted, dismissed; a sentence for a conviction) of charged defendants; ' +
    "each opens that defendant's appeal window. JUDGMENT once no defendant awaits a verdict.",
  move: {
    from: ['TRIAL'],
    to: 'JUDGMENT',
    // Before verdicts per defendant, any verdict moved the case on.
    when: (state, { verdicts }, { rules }) =>
      !rules('verdicts-per-defendant') ||
      noneAwaiting(
        state,
        verdicts.map((v) => v.suspectRef),
      ),
  },
  check: (state, { verdicts }) => {
    verdicts.forEach((v, i) => {
      const field = `verdicts[${i}].suspectRef`;
      const suspect = requireRef(state.suspects, v.suspectRef, field, 'suspect');
      if (!suspect.charged) reject('PRECONDITION', `${field}: ${v.suspectRef} was never charged`);
      const d = defendantOf(state, v.suspectRef, field);
      if (d.status === 'awaiting-verdict' || d.status === 'severed') return;
      reject(
        'CONFLICT',
        `${field}: ${v.suspectRef} already has a verdict (${d.verdict?.outcome ?? 'given'}); ${afterVerdict(d)}`,
      );
    });
  },
  apply: (state, { verdicts }, ctx) => {
    for (const v of verdicts) {
      const d = (state.defendants[v.suspectRef] ??= {
        suspectRef: v.suspectRef,
        chargedAt: iso(ctx.now),
        status: 'awaiting-verdict',
        appeals: [],
      });
      giveVerdict(state, d, v, ctx);
    }
    const count = (o: VerdictOutcome) => verdicts.filter((v) => v.outcome === o).length;
    const appealUntil = state.defendants[verdicts[0]!.suspectRef]?.appealUntil;
    emit(
      state,
      'verdict-recorded',
      {
        verdicts,
        convicted: count('convicted'),
        acquitted: count('acquitted'),
        dismissed: count('dismissed'),
        ...(appealUntil ? { appealUntil } : {}),
      },
      ctx.now,
    );
    return { result: { convicted: count('convicted'), acquitted: count('acquitted'), dismissed: count('dismissed') } };
  },
});

/** What can still happen to a judged defendant, for refusals. */
function afterVerdict(d: Defendant): string {
  switch (d.status) {
    case 'judged':
      return `it may be appealed until ${d.appealUntil}`;
    case 'appealed':
      return 'it is before the appellate court';
    default:
      return `the judgment is final since ${d.finalAt}`;
  }
}

export const severDefendant = command('severDefendant', {
  summary:
    "Sever a defendant's proceedings (a fugitive declared in contempt of court is tried later): they stay " +
    'open, and the others go on to judgment.',
  move: {
    from: ['TRIAL'],
    to: 'JUDGMENT',
    when: (state, { suspectRef }) =>
      noneAwaiting(state, [suspectRef]) &&
      Object.values(state.defendants).some((d) => d.suspectRef !== suspectRef && d.verdict !== undefined),
  },
  ref: 'suspectRef',
  check: (state, { suspectRef }) => {
    const d = defendantOf(state, suspectRef, 'suspectRef');
    if (d.status === 'severed') reject('CONFLICT', `suspectRef: the proceedings of ${suspectRef} are already severed`);
    if (d.status !== 'awaiting-verdict') {
      reject('CONFLICT', `suspectRef: ${suspectRef} already has a verdict; ${afterVerdict(d)}`);
    }
  },
  apply: (state, { suspectRef, reason }, { now }) => {
    const d = state.defendants[suspectRef]!;
    d.status = 'severed';
    d.severance = { at: iso(now), reason };
    emit(state, 'defendant-severed', { suspectRef, reason }, now);
    return { result: { suspectRef, status: d.status } };
  },
});

export const lodgeAppeal = command('lodgeAppeal', {
  summary:
    "Lodge an appeal against a defendant's verdict within its window: the proceedings stay open before the " +
    'appellate court (a JUDICIARY task to decide it).',
  ref: 'suspectRef',
  check: (state, { suspectRef, by }, { now, actor }) => {
    const d = defendantOf(state, suspectRef, 'suspectRef');
    if (d.status === 'awaiting-verdict' || d.status === 'severed') {
      reject('PRECONDITION', `suspectRef: ${suspectRef} has no verdict to appeal`);
    }
    if (d.status === 'appealed') reject('CONFLICT', `suspectRef: the verdict of ${suspectRef} is already under appeal`);
    if (d.status === 'final') {
      reject('PRECONDITION', `suspectRef: the judgment of ${suspectRef} is final since ${d.finalAt}: no more appeal`);
    }
    if (d.appealUntil && Date.parse(d.appealUntil) <= now) {
      reject('PRECONDITION', `suspectRef: the appeal window of ${suspectRef} closed at ${d.appealUntil}`);
    }
    if (actor.agency === 'PROSECUTION' && by !== 'prosecution') {
      reject('NOT_PERMITTED', "by: the prosecution lodges its own appeals; the court registers the defence's");
    }
  },
  apply: (state, { suspectRef, by }, { now }) => {
    const d = state.defendants[suspectRef]!;
    unschedule(state, suspectRef, ['appeal-window']);
    d.status = 'appealed';
    const task = openTask(
      state,
      {
        kind: APPEAL_TASK,
        title: `Decide the appeal of defendant ${suspectRef} (lodged by the ${by})`,
        ref: suspectRef,
        assignee: 'JUDICIARY',
        dueInMs: toMs(state.policy.appeal.decision),
        remindBeforeMs: toMs(state.policy.task.remindBefore),
        escalateTo: ['PROSECUTION'],
      },
      now,
    );
    d.appeals.push({ at: iso(now), by, taskId: task.id });
    emit(state, 'appeal-lodged', { suspectRef, by, taskId: task.id }, now);
    return { result: { suspectRef, taskId: task.id } };
  },
});

export const decideAppeal = command('decideAppeal', {
  summary:
    'The appellate court decides an appeal: upheld (final), overturned (the new verdict, final) or retrial ' +
    '(the defendant awaits a new verdict).',
  ref: 'suspectRef',
  check: (state, { suspectRef }) => {
    const d = defendantOf(state, suspectRef, 'suspectRef');
    if (d.status !== 'appealed') reject('PRECONDITION', `suspectRef: ${suspectRef} has no appeal pending`);
  },
  apply: (state, { suspectRef, decision, outcome, sentenceMonths }, { now }) => {
    const d = state.defendants[suspectRef]!;
    const appeal = d.appeals[d.appeals.length - 1];
    if (appeal) Object.assign(appeal, { decision, decidedAt: iso(now) });
    completeTaskFor(state, APPEAL_TASK, suspectRef, decision, now);
    emit(
      state,
      'appeal-decided',
      {
        suspectRef,
        decision,
        ...(outcome ? { outcome } : {}),
        ...(sentenceMonths !== undefined ? { sentenceMonths } : {}),
      },
      now,
    );
    switch (decision) {
      case 'upheld':
        judgmentFinal(state, d, 'appeal-upheld', now);
        break;
      case 'overturned': {
        const sentence = sentenceMonths !== undefined ? { sentenceMonths } : {};
        const verdict = { outcome: outcome ?? 'acquitted', ...sentence, at: iso(now), court: 'appeal' as const };
        state.verdicts.push({ suspectRef, ...verdict });
        d.verdict = verdict;
        judgmentFinal(state, d, 'appeal-overturned', now);
        break;
      }
      case 'retrial':
        d.status = 'awaiting-verdict';
        delete d.verdict;
        delete d.appealUntil;
        break;
      default: {
        const _exhaustive: never = decision;
        return _exhaustive;
      }
    }
    return { result: { suspectRef, status: d.status } };
  },
});

export const waiveAppeal = command('waiveAppeal', {
  summary: 'Record that the parties waived appeal: the judgment of each named defendant is final now.',
  check: (state, { suspectRefs }) => {
    suspectRefs.forEach((ref, i) => {
      const field = `suspectRefs[${i}]`;
      const d = defendantOf(state, ref, field);
      if (d.status === 'judged') return;
      if (d.status === 'final') reject('CONFLICT', `${field}: the judgment of ${ref} is already final`);
      if (d.status === 'appealed') reject('CONFLICT', `${field}: the verdict of ${ref} is under appeal`);
      reject('PRECONDITION', `${field}: ${ref} has no verdict yet`);
    });
  },
  apply: (state, { suspectRefs }, { now }) => {
    for (const ref of suspectRefs) judgmentFinal(state, state.defendants[ref]!, 'appeal-waived', now);
    return { result: { final: suspectRefs.length } };
  },
});

/** A defendant's appeal window closed unused: the judgment is final. */
export function onAppealWindowClosed(state: CaseState, deadline: Deadline, now: number): void {
  const d = state.defendants[deadline.ref];
  if (d?.status === 'judged') judgmentFinal(state, d, 'appeal-window-closed', now);
}
