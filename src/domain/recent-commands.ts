/**
 * Idempotent commands. Every command carries a command id chosen by the caller (the client generates
 * one and prints it; a retry reuses it). The workflow remembers recent ids with a fingerprint of what
 * was asked, across continue-as-new: the same id asking the same thing returns the first result; the
 * same id asking anything else is refused, so a mistaken reuse never silently drops new data.
 */
import type { Actor } from './actors';
import { reject } from './errors';
import type { RecentCommand, TaskOwnerState } from './state';

// Workflow code runs in a V8 context whose globals are looked up through an interceptor (a call into Node
// for every `Math`, `JSON`...): bound once here, the hash of a command costs 1 µs instead of 80.
const { imul } = Math;
const { isArray } = Array;
const { entries } = Object;
const { stringify } = JSON;

/** How many command ids a workflow remembers; older ones fall out first. */
const RECENT_COMMANDS_KEPT = 500;

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return stringify(value) ?? 'null';
  if (isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const fields = entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${fields.map(([k, v]) => `${stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * 53-bit FNV-style hash (cyrb53) as hex: deterministic and available inside workflow code, which has no
 * crypto. It guards against honest mistakes (a reused id), not adversaries: a caller can only collide
 * with its own earlier command.
 */
function hash53(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = imul(h1 ^ ch, 2654435761);
    h2 = imul(h2 ^ ch, 1597334677);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** What a command asks, as a short stable string: command, who (agency, person, client) and arguments. */
export function commandFingerprint(
  name: string,
  actor: Pick<Actor, 'agency' | 'staffId' | 'clientId'>,
  args: unknown,
): string {
  const who = { agency: actor.agency, staffId: actor.staffId, clientId: actor.clientId };
  return hash53(canonicalJson({ name, who, args: args ?? {} }));
}

/** The Temporal update id for a command: a different request under the same command id is a different
 * update, so Temporal's own dedupe cannot hand back the first result for it; the validator refuses it. */
export function updateIdFor(commandId: string, fingerprint: string): string {
  return `${commandId}~${fingerprint}`;
}

/**
 * The earlier result of this command id, or undefined for a new one. Refuses (CONFLICT) the same id
 * used for something else. Pure: validators call it.
 */
export function recall(state: Pick<TaskOwnerState, 'recentCommands'>, id: string, fingerprint: string) {
  const earlier = state.recentCommands.find((c) => c.id === id);
  if (!earlier) return undefined;
  if (earlier.fingerprint !== fingerprint) {
    reject('CONFLICT', `commandId: ${id} was already used for another command or other arguments; use a new id`);
  }
  return { result: earlier.result };
}

/** The first result of a command id the handler already ran with these arguments (a retry), if any. */
export function earlierResult(
  state: Pick<TaskOwnerState, 'recentCommands'>,
  id: string | undefined,
  fingerprint: string,
): { result: unknown } | undefined {
  const earlier = id ? state.recentCommands.find((c) => c.id === id && c.fingerprint === fingerprint) : undefined;
  return earlier ? { result: earlier.result } : undefined;
}

export function remember(state: Pick<TaskOwnerState, 'recentCommands'>, entry: RecentCommand): void {
  state.recentCommands.push(entry);
  if (state.recentCommands.length > RECENT_COMMANDS_KEPT) {
    state.recentCommands.splice(0, state.recentCommands.length - RECENT_COMMANDS_KEPT);
  }
}
