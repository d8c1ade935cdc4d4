/**
 * Arrests and detention clocks. An arrest has a legal basis: an approved arrest warrant naming the suspect,
 * or in flagrante (caught in the act), which a judge reviews within the policy's time. One clock per
 * arrestee, a warning before the limit. A detention that outlives its limit is unlawful from that moment:
 * the lapse stays on the record (until the release that ends it), the only lawful ruling left is release,
 * and OVERSIGHT is given the matter. Only JUDICIARY rules on detention.
 */
import { hasLapsed, raidFigures } from '../case-state';
import type { Arrest } from '../case';
import { schedule, unschedule } from '../deadlines';
import { detentionLimit } from '../deadline-policy';
import { toMs } from '../durations';
import { reject } from '../errors';
import { emit } from '../outbox';
import type { Rules } from '../rule-changes';
import { nextRef, type CaseState, type Deadline } from '../state';
import { completeTaskFor, openTask } from '../task-ops';
import { iso } from '../time';
import { checkCodes } from '../vocabulary';
import { command, requireRef } from './define';
import { checkPlace } from './places';
import { isWarrantValid } from './warrants';

/** Before the lapse rule: a judge released or extended. Cases from before keep these tasks. */
const LEGACY_RULING_TASK = 'release-or-extend';
/** After a lapse, release is the only lawful ruling. */
const RELEASE_TASK = 'release-detainee';
const UNLAWFUL_DETENTION_TASK = 'review-unlawful-detention';
const ARREST_REVIEW_TASK = 'review-arrest';
/** Every task a ruling on an arrestee closes. */
const RULING_TASKS = [LEGACY_RULING_TASK, RELEASE_TASK, ARREST_REVIEW_TASK];
export const CHARGE_TASK = 'file-charges';

function officialRouting(state: CaseState, suspectRef: string) {
  // An arrested official is oversight's business too.
  return state.suspects[suspectRef]?.official ? { alsoTo: ['OVERSIGHT' as const] } : {};
}

function startClock(state: CaseState, arrestRef: string, limitAt: number, now: number): void {
  const warnAt = limitAt - toMs(state.policy.detention.warnBefore);
  if (warnAt > now) schedule(state, 'detention-warning', arrestRef, warnAt);
  else unschedule(state, arrestRef, ['detention-warning']);
  schedule(state, 'detention-expiry', arrestRef, limitAt);
}

/** Held past the limit, and not yet released: an unlawful detention going on. */
export function isUnlawfullyHeld(arrest: Arrest, now: number): boolean {
  return arrest.status === 'held' && (arrest.limitAt <= now || (arrest.lapse !== undefined && !arrest.lapse.until));
}

function refuseAfterLapse(arrest: Arrest, now: number): void {
  if (!isUnlawfullyHeld(arrest, now)) return;
  reject(
    'PRECONDITION',
    `arrestRef: the detention of ${arrest.ref} lapsed at ${arrest.lapse?.from ?? iso(arrest.limitAt)}: the only ` +
      'lawful ruling is release (endDetention, outcome released); no extension, remand or confirmation after a lapse',
  );
}

/** The warrant an arrest cites: an approved, unexpired arrest warrant that names the suspect. */
function checkWarrant(state: CaseState, warrantRef: string, suspectRef: string, now: number): void {
  const w = requireRef(state.warrants, warrantRef, 'warrantRef', 'warrant');
  if (w.kind !== 'arrest')
    reject('PRECONDITION', `warrantRef: ${warrantRef} is a ${w.kind} warrant, not an arrest warrant`);
  if (w.status !== 'approved')
    reject('PRECONDITION', `warrantRef: arrest warrant ${warrantRef} is ${w.status}, not approved`);
  if (!isWarrantValid(state, warrantRef, now)) {
    reject('PRECONDITION', `warrantRef: arrest warrant ${warrantRef} lapsed at ${w.validUntil}`);
  }
  if (!w.suspectRefs.includes(suspectRef)) {
    reject('PRECONDITION', `warrantRef: arrest warrant ${warrantRef} does not name ${suspectRef}`);
  }
}

export const recordArrest = command('recordArrest', {
  summary:
    'Record the arrest of an identified suspect, under an approved arrest warrant naming them or in flagrante ' +
    '(a judge then reviews it); the detention clock starts now.',
  move: { from: ['OPERATION'], to: 'DETENTION' },
  ref: 'arrestRef',
  check: (state, a, { now }) => {
    requireRef(state.suspects, a.suspectRef, 'suspectRef', 'suspect');
    checkCodes(state, 'offenceClasses', a.offenceClass, 'args.offenceClass');
    checkPlace(state, a, 'arrest');
    if (a.warrantRef) checkWarrant(state, a.warrantRef, a.suspectRef, now);
    const held = Object.values(state.arrests).find((x) => x.suspectRef === a.suspectRef && x.status !== 'released');
    if (held) reject('CONFLICT', `suspectRef: ${a.suspectRef} is already in custody under arrest ${held.ref}`);
  },
  apply: (state, { warrantRef, inFlagrante, ...args }, { now }) => {
    const ref = nextRef(state.counters, 'A');
    const limitAt = now + toMs(detentionLimit(state.policy, args.offenceClass));
    // Arrests recorded before a basis was required have none.
    const basis = warrantRef ? { warrantRef } : inFlagrante ? { inFlagrante: true as const } : undefined;
    const arrest: Arrest = {
      ref,
      ...args,
      ...(basis ? { basis } : {}),
      at: iso(now),
      status: 'held',
      limitAt,
      extensions: 0,
    };
    state.arrests[ref] = arrest;
    if (inFlagrante) openArrestReview(state, arrest, now);
    startClock(state, ref, limitAt, now);
    openChargeWindow(state, now);
    emit(
      state,
      'arrest-recorded',
      {
        arrestRef: ref,
        ...args,
        ...(basis ?? {}),
        detentionLimitAt: iso(limitAt),
        ...(arrest.review ? { reviewDueAt: arrest.review.dueAt } : {}),
      },
      now,
      officialRouting(state, args.suspectRef),
    );
    figuresAfterRaid(state, args.raidRef, now);
    return { result: { arrestRef: ref, detentionLimitAt: iso(limitAt) } };
  },
});

/** An arrest in flagrante: a judge reviews it within the policy's time (a JUDICIARY task). */
function openArrestReview(state: CaseState, arrest: Arrest, now: number): void {
  const dueInMs = toMs(state.policy.detention.flagranteReview);
  const task = openTask(
    state,
    {
      kind: ARREST_REVIEW_TASK,
      title: `Review arrest in flagrante ${arrest.ref} (suspect ${arrest.suspectRef})`,
      ref: arrest.ref,
      assignee: 'JUDICIARY',
      dueInMs,
      remindBeforeMs: toMs(state.policy.task.remindBefore),
      escalateTo: ['PROSECUTION', 'OVERSIGHT'],
    },
    now,
  );
  arrest.review = { taskId: task.id, dueAt: iso(now + dueInMs) };
}

/** Something recorded under a raid that already completed: its figures change, and partners hear so. */
export function figuresAfterRaid(state: CaseState, raidRef: string | undefined, now: number): void {
  if (!raidRef || state.raids[raidRef]?.status !== 'completed') return;
  emit(state, 'raid-figures-updated', { raidRef, ...raidFigures(state, raidRef) }, now);
}

/** The first arrest opens the window for filing charges: a PROSECUTION task with a legal due date. */
function openChargeWindow(state: CaseState, now: number): void {
  const alreadyOpen = Object.values(state.tasks).some((t) => t.kind === CHARGE_TASK);
  if (alreadyOpen || Object.keys(state.charges).length > 0) return;
  openTask(
    state,
    {
      kind: CHARGE_TASK,
      title: `File charges in case ${state.caseId} (first arrest made)`,
      ref: state.caseId,
      assignee: 'PROSECUTION',
      dueInMs: toMs(state.policy.chargeFilingWindow),
      remindBeforeMs: toMs(state.policy.task.remindBefore),
      escalateTo: ['OVERSIGHT'],
    },
    now,
  );
}

function checkHeld(state: CaseState, arrestRef: string, allowRemanded: boolean): Arrest {
  const arrest = requireRef(state.arrests, arrestRef, 'arrestRef', 'arrest');
  if (arrest.status === 'released' || (!allowRemanded && arrest.status === 'remanded')) {
    reject('CONFLICT', `arrestRef: arrest ${arrestRef} is ${arrest.status}`);
  }
  return arrest;
}

/** The unlawful period ends with the ruling that ends the detention (or, in cases from before, extends it). */
function endLapse(state: CaseState, arrest: Arrest, now: number): void {
  if (!hasLapsed(arrest, now) || arrest.lapse?.until) return;
  const from = arrest.lapse?.from ?? iso(arrest.limitAt);
  arrest.lapse = { from, until: iso(now) };
  emit(
    state,
    'unlawful-detention-ended',
    { arrestRef: arrest.ref, suspectRef: arrest.suspectRef, from, until: arrest.lapse.until },
    now,
  );
}

export const confirmArrest = command('confirmArrest', {
  summary: 'A judge finds an arrest in flagrante lawful (its review); the detention clock runs on.',
  ref: 'arrestRef',
  check: (state, { arrestRef }, { now }) => {
    const arrest = checkHeld(state, arrestRef, false);
    if (!arrest.review) reject('PRECONDITION', `arrestRef: ${arrestRef} was not made in flagrante: it needs no review`);
    if (arrest.review.confirmedAt) reject('CONFLICT', `arrestRef: the arrest ${arrestRef} was already confirmed`);
    refuseAfterLapse(arrest, now);
  },
  apply: (state, { arrestRef }, { now }) => {
    const arrest = state.arrests[arrestRef]!;
    if (arrest.review) arrest.review.confirmedAt = iso(now);
    completeTaskFor(state, ARREST_REVIEW_TASK, arrestRef, 'confirmed', now);
    emit(state, 'arrest-confirmed', { arrestRef, suspectRef: arrest.suspectRef }, now);
    return { result: { arrestRef } };
  },
});

export const extendDetention = command('extendDetention', {
  summary:
    'Extend police detention of an arrestee (by the policy extension unless extendBy is given); never after ' +
    'the limit lapsed.',
  ref: 'arrestRef',
  check: (state, { arrestRef, extendBy }, { now }) => {
    const arrest = checkHeld(state, arrestRef, false);
    refuseAfterLapse(arrest, now);
    if (extendBy && toMs(extendBy) > toMs(state.policy.detention.extension)) {
      reject(
        'PRECONDITION',
        `extendBy: at most ${state.policy.detention.extension}, the extension this case's policy allows`,
      );
    }
  },
  apply: (state, { arrestRef, extendBy }, { now }) => {
    const arrest = state.arrests[arrestRef]!;
    // Only a history recorded before the lapse rule can extend a lapsed detention: its lapse stays recorded.
    endLapse(state, arrest, now);
    arrest.limitAt = Math.max(arrest.limitAt, now) + toMs(extendBy ?? state.policy.detention.extension);
    arrest.extensions += 1;
    startClock(state, arrestRef, arrest.limitAt, now);
    for (const kind of RULING_TASKS) completeTaskFor(state, kind, arrestRef, 'extended', now);
    emit(
      state,
      'detention-extended',
      { arrestRef, suspectRef: arrest.suspectRef, detentionLimitAt: iso(arrest.limitAt) },
      now,
    );
    return { result: { arrestRef, detentionLimitAt: iso(arrest.limitAt) } };
  },
});

export const endDetention = command('endDetention', {
  summary:
    'Release an arrestee, or remand them in custody pending trial (the police clock stops); after a lapse, ' +
    'only release.',
  ref: 'arrestRef',
  check: (state, { arrestRef, outcome }, { now }) => {
    const arrest = checkHeld(state, arrestRef, true);
    if (outcome !== 'released') refuseAfterLapse(arrest, now);
  },
  apply: (state, { arrestRef, outcome }, { now }) => {
    const arrest = state.arrests[arrestRef]!;
    endLapse(state, arrest, now);
    arrest.status = outcome;
    unschedule(state, arrestRef, ['detention-warning', 'detention-expiry']);
    for (const kind of RULING_TASKS) completeTaskFor(state, kind, arrestRef, outcome, now);
    emit(state, 'detention-ended', { arrestRef, suspectRef: arrest.suspectRef, outcome }, now);
    return { result: { arrestRef, status: outcome } };
  },
});

export function onDetentionDeadline(state: CaseState, deadline: Deadline, now: number, rules: Rules): void {
  const arrest = state.arrests[deadline.ref];
  if (!arrest || arrest.status !== 'held') return;
  const facts = { arrestRef: arrest.ref, suspectRef: arrest.suspectRef, detentionLimitAt: iso(arrest.limitAt) };
  if (deadline.kind === 'detention-warning') {
    emit(state, 'detention-warning', facts, now);
    return;
  }
  // The legal record: held unlawfully from the limit on. A second lapse (possible only in cases from before
  // the lapse rule, which could extend a lapsed detention) reopens the period from its first start.
  arrest.lapse = { from: arrest.lapse?.from ?? iso(arrest.limitAt) };
  const releaseOnly = rules('lapsed-detention-release-only');
  const ruling = releaseOnly
    ? {
        kind: RELEASE_TASK,
        title: `Release arrestee ${arrest.ref} (suspect ${arrest.suspectRef}): detention limit lapsed`,
      }
    : {
        kind: LEGACY_RULING_TASK,
        title: `Release or extend detention of arrestee ${arrest.ref} (suspect ${arrest.suspectRef}): limit lapsed`,
      };
  const taskIds = (['JUDICIARY', 'PROSECUTION'] as const).map(
    (assignee) =>
      openTask(
        state,
        {
          ...ruling,
          ref: arrest.ref,
          assignee,
          dueInMs: toMs(state.policy.detention.warnBefore),
          escalateTo: ['OVERSIGHT'],
        },
        now,
      ).id,
  );
  if (releaseOnly) {
    const review = openTask(
      state,
      {
        kind: UNLAWFUL_DETENTION_TASK,
        title: `Review the unlawful detention of arrestee ${arrest.ref} (suspect ${arrest.suspectRef})`,
        ref: arrest.ref,
        assignee: 'OVERSIGHT',
        dueInMs: toMs(state.policy.task.defaultDue),
        remindBeforeMs: toMs(state.policy.task.remindBefore),
        escalateTo: ['PROSECUTION'],
      },
      now,
    );
    taskIds.push(review.id);
  }
  emit(state, 'detention-expired', { ...facts, unlawfulSince: arrest.lapse.from, taskIds }, now);
}
