import { taskId, type HumanTask } from '../../src/domain/tasks';
import { inboxKey, selectInbox, supersedes, visibleTo, type InboxEntry } from '../../src/notifier/inbox';

const WF = 'case-PE-1';
const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function entry(n: number, overrides: Partial<InboxEntry> = {}): InboxEntry {
  return {
    id: taskId(WF, n),
    caseId: 'PE-1',
    ownerWorkflowId: WF,
    kind: 'medical-exam',
    title: `Medical exam of minor V-${n}`,
    ref: `V-${n}`,
    assignee: 'CHILD_PROTECTION',
    createdAt: '2026-03-09T12:00:00.000Z',
    dueAt: '2026-03-11T12:00:00.000Z',
    remindAt: [],
    escalateTo: ['PROSECUTION'],
    escalated: false,
    status: 'open',
    lastEvent: { id: `${WF}.${n}`, type: 'task-created', time: '2026-03-09T12:00:00.000Z' },
    ...overrides,
  };
}

describe('selectInbox', () => {
  const tasks = [
    entry(1, { dueAt: '2026-03-10T11:00:00.000Z' }), // overdue
    entry(2, { dueAt: '2026-03-12T12:00:00.000Z', status: 'claimed', staffId: 'cp-17' }),
    entry(3, { dueAt: '2026-03-09T12:00:00.000Z', status: 'claimed', staffId: 'cp-17' }), // overdue
    entry(4, { dueAt: '2026-03-11T00:00:00.000Z', status: 'completed' }),
    entry(5, { dueAt: '2026-03-08T00:00:00.000Z', status: 'cancelled' }),
    entry(6, { dueAt: '2026-03-10T18:00:00.000Z' }),
  ];
  const ids = (xs: InboxEntry[]) => xs.map((t) => Number(t.id.split('~T')[1]));

  it('lists open and claimed tasks, soonest due first', () => {
    expect(ids(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: NOW }))).toEqual([3, 1, 6, 2]);
  });

  it('filters overdue tasks (due before now), and those not yet due', () => {
    expect(ids(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: NOW, overdue: true }))).toEqual([3, 1]);
    expect(ids(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: new Date(NOW), overdue: false }))).toEqual([6, 2]);
  });

  it("filters one staff member's tasks, alone or with overdue", () => {
    expect(ids(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: NOW, staffId: 'cp-17' }))).toEqual([3, 2]);
    expect(ids(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: NOW, staffId: 'cp-17', overdue: true }))).toEqual([
      3,
    ]);
    expect(selectInbox(tasks, { agency: 'CHILD_PROTECTION', now: NOW, staffId: 'nobody' })).toEqual([]);
  });
});

describe('cleared staff (conflict of interest)', () => {
  const restricted = entry(7, { clearedStaff: ['cp-17'] });
  const ordinary = entry(8);

  it('shows an entry of a restricted case only to the staff cleared by name', () => {
    expect(visibleTo(restricted, 'cp-17')).toBe(true);
    expect(visibleTo(restricted, 'cp-18')).toBe(false);
    expect(visibleTo(ordinary, 'cp-18')).toBe(true);
  });

  it("filters a viewer's inbox accordingly", () => {
    const ids = (xs: InboxEntry[]) => xs.map((t) => t.id);
    const both = [restricted, ordinary];
    expect(ids(selectInbox(both, { agency: 'CHILD_PROTECTION', now: NOW, viewer: 'cp-17' }))).toEqual(ids(both));
    expect(ids(selectInbox(both, { agency: 'CHILD_PROTECTION', now: NOW, viewer: 'cp-18' }))).toEqual([ordinary.id]);
  });
});

describe('supersedes: the inbox only moves forward', () => {
  const task = (status: HumanTask['status']): HumanTask => ({ ...entry(1), status });
  const ev = (seq: number, type = 'task-claimed', time = '2026-03-10T00:00:00.000Z') => ({
    id: `${WF}.${seq}`,
    type,
    time,
  });

  it('takes a later event of the same workflow, not an earlier or the same one', () => {
    const current = entry(1, { lastEvent: ev(5) });
    expect(supersedes(current, task('claimed'), ev(6))).toBe(true);
    expect(supersedes(current, task('open'), ev(4))).toBe(false);
    expect(supersedes(current, task('claimed'), ev(5))).toBe(false);
  });

  it('keeps a closed task closed even if an open-state event arrives later (redelivery)', () => {
    const closed = entry(1, { status: 'completed', lastEvent: ev(9, 'task-completed') });
    expect(supersedes(closed, task('open'), ev(10, 'task-reminder'))).toBe(false);
    expect(supersedes(closed, task('cancelled'), ev(10, 'task-cancelled'))).toBe(true);
  });

  it('falls back to event time when ids are not comparable', () => {
    const current = entry(1, { lastEvent: { id: 'other-wf.x', type: 'task-created', time: '2026-03-10T00:00:00Z' } });
    expect(supersedes(current, task('claimed'), ev(1, 'task-claimed', '2026-03-10T00:00:01Z'))).toBe(true);
    expect(supersedes(current, task('claimed'), ev(1, 'task-claimed', '2026-03-09T23:59:59Z'))).toBe(false);
  });
});

describe('inboxKey', () => {
  it('is <AGENCY>.<task id with ~ replaced by =>, a valid KV key', () => {
    expect(inboxKey('POLICE', taskId('case-PE_1', 12))).toBe('POLICE.case-PE_1=T12');
    expect(inboxKey('POLICE', taskId('case-PE_1', 12))).toMatch(/^[-/=.\w]+$/);
  });
});
