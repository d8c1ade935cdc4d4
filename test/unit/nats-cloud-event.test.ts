import { toAgencyMessages } from '../../src/domain/views';
import type { PendingEvent } from '../../src/domain/events';
import { taskId, type HumanTask } from '../../src/domain/tasks';
import { EnvelopeError, MAX_EVENT_BYTES, parseCaseEvent } from '../../src/nats/cloud-event';
import { encodeAgencyMessage, InvalidAgencyMessageError } from '../../src/nats/publisher';

const WF = 'case-PE-LIM-2026-0042';

function task(overrides: Partial<HumanTask> = {}): HumanTask {
  return {
    id: taskId(WF, 1),
    caseId: 'PE-LIM-2026-0042',
    ownerWorkflowId: WF,
    kind: 'approve-warrant',
    title: 'Approve warrant W-1',
    ref: 'W-1',
    assignee: 'JUDICIARY',
    createdAt: '2026-03-01T08:00:00.000Z',
    dueAt: '2026-03-02T08:00:00.000Z',
    remindAt: [],
    escalateTo: ['PROSECUTION'],
    escalated: false,
    status: 'open',
    ...overrides,
  };
}

function pending(overrides: Partial<PendingEvent> = {}): PendingEvent {
  return {
    seq: 7,
    type: 'task-created',
    at: '2026-03-01T08:00:00.000Z',
    caseId: 'PE-LIM-2026-0042',
    data: { task: task() },
    to: ['JUDICIARY'],
    restricted: [],
    ...overrides,
  };
}

function wire(overrides: Partial<PendingEvent> = {}) {
  const [message] = toAgencyMessages(WF, pending(overrides));
  if (!message) throw new Error('no message');
  return { message, body: Buffer.from(encodeAgencyMessage(message)) };
}

function rejection(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvelopeError) return err;
    throw err;
  }
  throw new Error('expected an EnvelopeError');
}

describe('parseCaseEvent: the envelope check on every received message', () => {
  it('accepts what the orchestrator publishes, and reads the task of a task event', () => {
    const { message, body } = wire();
    const received = parseCaseEvent(body, message.subject);
    expect(received.recipient).toBe('JUDICIARY');
    expect(received.eventType).toBe('task-created');
    expect(received.event.id).toBe(`${WF}.7`);
    expect(received.task?.id).toBe(`${WF}~T1`);
  });

  it('accepts a non-task event with any data shape', () => {
    const [message] = toAgencyMessages(
      WF,
      pending({ type: 'warrant-approved', data: { warrantRef: 'W-1' }, to: undefined }),
    );
    if (!message) throw new Error('no message');
    expect(parseCaseEvent(encodeAgencyMessage(message), message.subject).task).toBeUndefined();
  });

  it('rejects an oversize body before parsing it', () => {
    const body = Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20);
    expect(rejection(() => parseCaseEvent(body, 'cases.POLICE.x')).reason).toBe('oversize');
  });

  it('rejects a body that is not JSON', () => {
    expect(rejection(() => parseCaseEvent('{"specversion":', 'cases.POLICE.x')).reason).toBe('unparsable');
  });

  it.each([
    ['an unknown top-level attribute', (e: Record<string, unknown>) => ({ ...e, victimName: 'Maria' })],
    ['another spec version', (e: Record<string, unknown>) => ({ ...e, specversion: '0.3' })],
    ['a foreign source', (e: Record<string, unknown>) => ({ ...e, source: '/elsewhere/x' })],
    ['a foreign type', (e: Record<string, unknown>) => ({ ...e, type: 'com.example.task-created' })],
    ['a missing time', ({ time: _t, ...e }: Record<string, unknown>) => e],
    ['a time that is not ISO-8601', (e: Record<string, unknown>) => ({ ...e, time: 'yesterday' })],
    ['data that is not an object', (e: Record<string, unknown>) => ({ ...e, data: 'Maria' })],
    ['a task event whose task is malformed', (e: Record<string, unknown>) => ({ ...e, data: { task: { id: 'x' } } })],
  ])('rejects %s as schema-invalid, without echoing values', (_name, mutate) => {
    const { message, body } = wire();
    const mutated = JSON.stringify(mutate(JSON.parse(body.toString()) as Record<string, unknown>));
    const err = rejection(() => parseCaseEvent(mutated, message.subject));
    expect(err.reason).toBe('schema-invalid');
    expect(err.message).not.toMatch(/Maria|yesterday|victimName/);
  });

  it('keeps the event id of a schema-invalid envelope for the dead-letter record', () => {
    const { message, body } = wire();
    const mutated = JSON.stringify({ ...(JSON.parse(body.toString()) as object), extra: 1 });
    expect(rejection(() => parseCaseEvent(mutated, message.subject)).eventId).toBe(`${WF}.7`);
  });

  it('rejects an event whose NATS subject does not match its type or recipient', () => {
    const { body } = wire();
    expect(rejection(() => parseCaseEvent(body, 'cases.JUDICIARY.task-completed')).reason).toBe('subject-mismatch');
    expect(rejection(() => parseCaseEvent(body, 'cases.NOBODY.task-created')).reason).toBe('subject-mismatch');
    expect(rejection(() => parseCaseEvent(body, 'other.JUDICIARY.task-created')).reason).toBe('subject-mismatch');
  });
});

describe('CLEARED copies (conflict of interest)', () => {
  /** The task event as the domain routes it while JUDICIARY is restricted and judge-7 is cleared. */
  function clearedWire() {
    const restricted = { restricted: ['JUDICIARY'], cleared: { JUDICIARY: ['judge-7'] } } as Partial<PendingEvent>;
    const message = toAgencyMessages(WF, pending(restricted)).find((m) => m.subject.startsWith('cases.CLEARED.'));
    if (!message) throw new Error('no CLEARED message');
    return { message, body: Buffer.from(encodeAgencyMessage(message)) };
  }

  it('reads the task, the cleared staff and the agency whose inbox it is for', () => {
    const { message, body } = clearedWire();
    expect(message.msgId).toBe(`${WF}.7.CLEARED-JUDICIARY`);
    const received = parseCaseEvent(body, message.subject);
    expect(received).toMatchObject({ recipient: 'CLEARED', inboxAgency: 'JUDICIARY', clearedStaff: ['judge-7'] });
    expect(received.task?.id).toBe(`${WF}~T1`);
  });

  it('takes only task events, with a list of staff ids, on that route', () => {
    const { message, body } = clearedWire();
    const event = JSON.parse(body.toString()) as { data: Record<string, unknown> };
    const withData = (data: Record<string, unknown>) => JSON.stringify({ ...event, data: { ...event.data, ...data } });
    expect(
      rejection(() => parseCaseEvent(withData({ clearedStaff: ['Judge Maria P.'] }), message.subject)),
    ).toMatchObject({
      reason: 'schema-invalid',
    });
    expect(rejection(() => parseCaseEvent(withData({ clearedStaff: undefined }), message.subject)).reason).toBe(
      'schema-invalid',
    );
    expect(rejection(() => parseCaseEvent(withData({ caseId: 'OTHER' }), message.subject)).reason).toBe(
      'schema-invalid',
    );
    const warrant = JSON.stringify({ ...event, type: 'org.case-orchestrator.warrant-approved' });
    expect(rejection(() => parseCaseEvent(warrant, 'cases.CLEARED.warrant-approved')).reason).toBe('subject-mismatch');
  });

  it('lets the publisher send a CLEARED copy per restricted agency, and nothing else under that id', () => {
    const { message } = clearedWire();
    expect(() => encodeAgencyMessage({ ...message, msgId: `${WF}.7.CLEARED-NOBODY` })).toThrow(/msgId must be/);
    expect(() => encodeAgencyMessage({ ...message, msgId: `${WF}.7.POLICE-JUDICIARY` })).toThrow(/msgId must be/);
  });
});

describe('encodeAgencyMessage: what the publisher refuses to send', () => {
  it('refuses a subject that does not match recipient and type', () => {
    const { message } = wire();
    expect(() => encodeAgencyMessage({ ...message, subject: 'cases.POLICE.task-created' })).toThrow(
      InvalidAgencyMessageError,
    );
  });

  it('refuses a msgId that is not <eventId>.<recipient>', () => {
    const { message } = wire();
    expect(() => encodeAgencyMessage({ ...message, msgId: 'random' })).toThrow(/msgId must be/);
  });

  it('refuses an event over the size limit', () => {
    const { message } = wire();
    const big = { ...message, event: { ...message.event, data: { blob: 'x'.repeat(MAX_EVENT_BYTES) } } };
    expect(() => encodeAgencyMessage(big)).toThrow(/exceeds/);
  });
});
