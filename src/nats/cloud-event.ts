/**
 * The wire check for case events read from (or written to) JetStream. The envelope is strict: an
 * event with unknown top-level attributes, a foreign source or a subject that does not match its type
 * is not ours to forward to staff, and is dead-lettered instead. `data` is checked only where we act
 * on it (task events), so a newer orchestrator can add fields without poisoning an older notifier.
 */
import { TASK_EVENT_TYPES, type TaskEventType } from '../domain/events';
import { z } from 'zod';
import { Agency } from '../domain/agencies';
import { CLOUD_EVENT_TYPE_PREFIX, SUBJECT_ROOT, type CloudEvent } from '../domain/envelope';
import { HumanTask } from '../domain/tasks';
import { AUDIT, CLEARED, type Cleared } from './subjects';

/** Events carry references, never documents: anything bigger is a bug or an attack. */
export const MAX_EVENT_BYTES = 64 * 1024;

export const CONTENT_TYPE_CLOUDEVENTS = 'application/cloudevents+json';

const EVENT_TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const REF = /^[A-Za-z0-9_.~:-]+$/;

export const CloudEventSchema = z.strictObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256).regex(REF, 'must be letters, digits and _ . ~ : -'),
  source: z
    .string()
    .max(256)
    .regex(/^\/case-orchestrator\/[A-Za-z0-9_.~:-]+$/, 'must be /case-orchestrator/<workflowId>'),
  type: z
    .string()
    .max(128)
    .refine(
      (t) => t.startsWith(CLOUD_EVENT_TYPE_PREFIX) && EVENT_TYPE.test(t.slice(CLOUD_EVENT_TYPE_PREFIX.length)),
      `must be ${CLOUD_EVENT_TYPE_PREFIX}<event-type>`,
    ),
  subject: z.string().min(1).max(128).regex(REF, 'must be a case reference'),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  data: z.record(z.string(), z.unknown()),
});

export { TASK_EVENT_TYPES, type TaskEventType };

export const TaskEventData = z.object({ task: HumanTask });

/** Staff ids as src/domain/agencies.ts writes them (never names). */
const StaffId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a staff id');

/** A task event of a restricted agency, for the staff the prosecution cleared by name (conflict of interest). */
export const ClearedTaskEventData = z.object({
  caseId: z.string().min(1).max(128),
  task: HumanTask,
  /** Whose inbox the task belongs in (the assignee, or an escalation agency); the assignee when absent. */
  agency: Agency.optional(),
  clearedStaff: z.array(StaffId).max(200),
});

export type EnvelopeRejection = 'oversize' | 'unparsable' | 'schema-invalid' | 'subject-mismatch';

/** Why an envelope was refused: a category for counters and dead letters, and a detail without values. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  constructor(
    readonly reason: EnvelopeRejection,
    detail: string,
    /** The event id when the envelope got far enough to have one, for the dead-letter record. */
    readonly eventId?: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** A validated event as one recipient received it. */
export interface ReceivedEvent {
  recipient: Agency | Cleared | typeof AUDIT;
  eventType: string;
  event: CloudEvent<Record<string, unknown>>;
  /** Set for task-* events, whose data was checked against HumanTask. */
  task?: HumanTask;
  /** Set for CLEARED task events: who among that agency's staff may see the task... */
  clearedStaff?: string[];
  /** ...and the agency whose inbox holds it. */
  inboxAgency?: Agency;
}

export function eventTypeOf(event: Pick<CloudEvent, 'type'>): string {
  return event.type.slice(CLOUD_EVENT_TYPE_PREFIX.length);
}

export function isTaskEventType(t: string): t is TaskEventType {
  return (TASK_EVENT_TYPES as readonly string[]).includes(t);
}

/**
 * Parses and checks one message body as received on `natsSubject`. Throws EnvelopeError. Issue
 * details name paths and rules only: zod messages never echo the offending values, which may be data.
 */
export function parseCaseEvent(body: Uint8Array | string, natsSubject: string): ReceivedEvent {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_EVENT_BYTES) throw new EnvelopeError('oversize', `${size} bytes > ${MAX_EVENT_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    throw new EnvelopeError('unparsable', 'body is not JSON');
  }
  const parsed = CloudEventSchema.safeParse(json);
  if (!parsed.success) {
    const id = typeof json === 'object' && json && 'id' in json && typeof json.id === 'string' ? json.id : undefined;
    throw new EnvelopeError('schema-invalid', describeIssues(parsed.error), safeId(id));
  }
  const event = parsed.data as CloudEvent<Record<string, unknown>>;
  const eventType = eventTypeOf(event);
  const [root, recipient, subjectType, ...rest] = natsSubject.split('.');
  const recipientOk = recipient === AUDIT || recipient === CLEARED || Agency.safeParse(recipient).success;
  if (root !== SUBJECT_ROOT || !recipientOk || subjectType !== eventType || rest.length > 0) {
    throw new EnvelopeError('subject-mismatch', `subject does not match type ${eventType}`, event.id);
  }
  const received: ReceivedEvent = { recipient: recipient as ReceivedEvent['recipient'], eventType, event };
  if (recipient === CLEARED) {
    // Only task events take this route: anything else on it was misrouted.
    if (!isTaskEventType(eventType))
      throw new EnvelopeError('subject-mismatch', `${eventType} is not a task event`, event.id);
    const data = ClearedTaskEventData.safeParse(event.data);
    if (!data.success) throw new EnvelopeError('schema-invalid', describeIssues(data.error, 'data'), event.id);
    if (data.data.caseId !== event.subject)
      throw new EnvelopeError('schema-invalid', 'data.caseId: must be the event subject', event.id);
    received.task = data.data.task;
    received.clearedStaff = data.data.clearedStaff;
    received.inboxAgency = data.data.agency ?? data.data.task.assignee;
  } else if (isTaskEventType(eventType)) {
    const data = TaskEventData.safeParse(event.data);
    if (!data.success) throw new EnvelopeError('schema-invalid', describeIssues(data.error, 'data'), event.id);
    received.task = data.data.task;
  }
  return received;
}

function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const where = [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)';
      // Unknown keys are named by the sender and could be anything: count them, do not echo them.
      const what = i.code === 'unrecognized_keys' ? `${i.keys.length} unknown attribute(s)` : i.message;
      return `${where}: ${what}`;
    })
    .join('; ')
    .slice(0, 500);
}

function safeId(id: string | undefined): string | undefined {
  return id !== undefined && id.length <= 256 && REF.test(id) ? id : undefined;
}
