/**
 * The subject hierarchy is the API: `cases.<RECIPIENT>.<event-type>`. Two streams hold it:
 *
 * - the event stream (NATS_STREAM, `CASES`) with one subject tree per agency, plus `CLEARED` (task events of a
 *   restricted agency, meant only for the staff the prosecution cleared by name);
 * - the sealed audit stream (`<NATS_STREAM>_AUDIT`) on `cases.AUDIT.>`, which nobody but the admin identity can
 *   read, and which nobody at all can purge or trim message by message.
 *
 * The streams must not overlap (the server refuses it), so the event stream lists its recipients one by one
 * instead of binding `cases.>`.
 *
 * Readers of the event stream each have a durable consumer of their own:
 * - `agency-<READER>`, read by the notifier (one per agency, and `agency-CLEARED`);
 * - `direct-<AGENCY>`, read by an agency's own scripts, so reading never takes a message from the notifier;
 * - `audit` on the audit stream, for the admin's audit tooling.
 */
import { AGENCIES, RECIPIENTS, type Agency } from '../domain/agencies';
import { SUBJECT_ROOT } from '../domain/envelope';

export const AUDIT = 'AUDIT' as const;
/**
 * The conflict-of-interest route. Declared here until src/domain/agencies.ts lists it in RECIPIENTS; the
 * functions below include it either way, so the streams and consumers are the same before and after.
 */
export const CLEARED = 'CLEARED' as const;
export type Cleared = typeof CLEARED;

/** Who the notifier reads for: each agency, and the cleared-staff route. */
export type Reader = Agency | Cleared;
export const READERS: readonly Reader[] = [...AGENCIES, CLEARED];

export function isReader(value: string): value is Reader {
  return (READERS as readonly string[]).includes(value);
}

/** Every recipient of the event stream: RECIPIENTS without AUDIT, with CLEARED. */
export function eventRecipients(): string[] {
  const listed = (RECIPIENTS as readonly string[]).filter((r) => r !== AUDIT);
  return listed.includes(CLEARED) ? listed : [...listed, CLEARED];
}

export function recipientFilter(recipient: string): string {
  return `${SUBJECT_ROOT}.${recipient}.>`;
}

export function eventStreamSubjects(): string[] {
  return eventRecipients().map(recipientFilter);
}

export function auditStreamSubjects(): string[] {
  return [recipientFilter(AUDIT)];
}

/** The audit stream's name follows the event stream's, so one variable (NATS_STREAM) names both. */
export function auditStreamName(stream: string): string {
  return `${stream}_AUDIT`;
}

/** The stream that stores a recipient's messages. */
export function streamFor(recipient: string, stream: string): string {
  return recipient === AUDIT ? auditStreamName(stream) : stream;
}

/** The notifier's durable consumer for one reader. */
export function agencyConsumerName(reader: Reader): string {
  return `agency-${reader}`;
}

/** An agency's own durable consumer, for scripts that read events directly. */
export function directConsumerName(agency: Agency): string {
  return `direct-${agency}`;
}

export const AUDIT_CONSUMER = 'audit';
