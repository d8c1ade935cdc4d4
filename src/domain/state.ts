/**
 * The state a case workflow keeps. Plain JSON only (records, arrays, numbers, strings): it is carried
 * across continue-as-new as workflow input, where a Map or a class would not survive.
 */
import type { Actor, Agency } from './actors';
import type {
  Arrest,
  Charge,
  Defendant,
  Hearing,
  Location,
  Raid,
  SeizedItem,
  Suspect,
  Verdict,
  Victim,
  Warrant,
  Witness,
} from './case';
import type { DeadlinePolicy } from './policy';
import type { Stage } from './stages';
import type { HumanTask } from './tasks';
import type { PendingEvent } from './events';

export type DeadlineKind =
  'task-reminder' | 'task-due' | 'detention-warning' | 'detention-expiry' | 'warrant-expiry' | 'appeal-window';

/** A durable timer as data: the workflow sleeps until the earliest one. */
export interface Deadline {
  id: string;
  at: number;
  kind: DeadlineKind;
  ref: string;
}

/**
 * One line of a case's legal record: a command (its type, who sent it) or something the system did itself
 * (`source: 'system'`, its event type: a warning, an expiry, a reminder, an escalation). References and
 * codes only.
 */
export interface TimelineEntry {
  at: string;
  type: string;
  by?: Actor;
  ref?: string;
  /** Codes and references that say more (a raid location's outcome), never personal data. */
  detail?: Record<string, string | number | boolean>;
  /** Set on what the system did itself, with no one's command. */
  source?: 'system';
  /** For system entries about a task: the agencies that hold it (the only ones besides the lead who see it). */
  for?: Agency[];
}

/** Counters for references and event sequence numbers; never reused, so ids stay unique. */
export interface Counters {
  S: number;
  V: number;
  WT: number;
  L: number;
  W: number;
  R: number;
  A: number;
  E: number;
  C: number;
  H: number;
  T: number;
  event: number;
}

/** A command this workflow ran, remembered so that a retry with the same command id returns the first result. */
export interface RecentCommand {
  id: string;
  /** commandFingerprint(name, actor, args): the same id with another command or other arguments is refused. */
  fingerprint: string;
  result: unknown;
}

/** Staff ids cleared by name, per agency: a vetted unit that may work a case its agency is restricted on. */
export type Clearances = Partial<Record<Agency, string[]>>;

/** What every workflow that owns tasks and emits events has in common (case, raid, minor). */
export interface TaskOwnerState {
  caseId: string;
  workflowId: string;
  policy: DeadlinePolicy;
  counters: Pick<Counters, 'T' | 'event'>;
  tasks: Record<string, HumanTask>;
  deadlines: Deadline[];
  outbox: PendingEvent[];
  /** Agencies restricted on the case (conflict of interest): they neither read nor act on it, nor hear of it. */
  restrictedAgencies: Agency[];
  /** Staff of restricted agencies who may still read and act (cleared by name by PROSECUTION). */
  clearedStaff: Clearances;
  /** Bounded memory of recent command ids, carried across continue-as-new. */
  recentCommands: RecentCommand[];
}

export interface CaseState extends TaskOwnerState {
  kind: 'case';
  counters: Counters;
  codename: string;
  jurisdiction: string;
  crimeTypes: string[];
  priority: 'normal' | 'high' | 'urgent';
  leadProsecutor: { staffId: string };
  summary?: string;
  stage: Stage;
  openedAt: string;
  stageHistory: { stage: Stage; at: string }[];
  suspects: Record<string, Suspect>;
  victims: Record<string, Victim>;
  witnesses: Record<string, Witness>;
  locations: Record<string, Location>;
  warrants: Record<string, Warrant>;
  raids: Record<string, Raid>;
  arrests: Record<string, Arrest>;
  items: Record<string, SeizedItem>;
  charges: Record<string, Charge>;
  hearings: Record<string, Hearing>;
  /** The proceedings against each charged suspect, by suspect reference. */
  defendants: Record<string, Defendant>;
  /** Every verdict given, in order: the legal record (the current one of each defendant is in `defendants`). */
  verdicts: Verdict[];
  timeline: TimelineEntry[];
  closedAt?: string;
}

export function nextRef<K extends keyof Counters>(counters: Pick<Counters, K>, prefix: K): string {
  counters[prefix] += 1;
  return `${String(prefix)}-${counters[prefix]}`;
}

/** The empty task-owner part of a child workflow's state (a raid, a minor's protection). */
export function newOwnerState(
  from: Pick<TaskOwnerState, 'caseId' | 'workflowId' | 'policy' | 'restrictedAgencies'> & { clearedStaff?: Clearances },
): TaskOwnerState {
  const { caseId, workflowId, policy, restrictedAgencies } = from;
  return {
    caseId,
    workflowId,
    policy,
    restrictedAgencies,
    clearedStaff: from.clearedStaff ?? {},
    counters: { T: 0, event: 0 },
    tasks: {},
    deadlines: [],
    outbox: [],
    recentCommands: [],
  };
}

/** State carried over by continue-as-new from a run that predates a field gets the field's empty value. */
export function upgradeOwnerState<S extends TaskOwnerState>(state: S): S {
  state.clearedStaff ??= {};
  state.recentCommands ??= [];
  return state;
}
