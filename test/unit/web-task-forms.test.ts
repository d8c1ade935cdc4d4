import type { Actor } from '../../src/domain/agencies';
import { commandCatalogue } from '../../src/domain/catalogue';
import type { HumanTask } from '../../src/domain/tasks';
import {
  argsFromForm,
  caseActionForms,
  commandForm,
  fieldOfDetail,
  isDurationPattern,
  refPrefix,
  taskForm,
  type CommandForm,
} from '../../src/web/task-forms';

const catalogue = commandCatalogue();
const judge: Actor = { agency: 'JUDICIARY', staffId: 'judge-9', roles: ['judge'] };
const clerk: Actor = { agency: 'JUDICIARY', staffId: 'clerk-4', roles: ['court-clerk'] };
const social: Actor = { agency: 'CHILD_PROTECTION', staffId: 'social-12', roles: ['social-worker'] };
const prosecutor: Actor = { agency: 'PROSECUTION', staffId: 'fiscal-017', roles: ['prosecutor'] };

function task(kind: string, ref: string, over: Partial<HumanTask> = {}): HumanTask {
  return {
    id: 'case-PE-LIM-2026-0042~T3',
    caseId: 'PE-LIM-2026-0042',
    ownerWorkflowId: 'case-PE-LIM-2026-0042',
    kind,
    title: `Task about ${ref}`,
    ref,
    assignee: 'JUDICIARY',
    createdAt: '2026-06-01T00:00:00.000Z',
    dueAt: '2026-06-04T00:00:00.000Z',
    remindAt: [],
    escalateTo: [],
    escalated: false,
    status: 'open',
    ...over,
  } as HumanTask;
}

const field = (form: CommandForm, name: string) => form.fields.find((f) => f.name === name);

describe('task forms from the command catalogue', () => {
  it('a warrant task: approve (validity as a duration) or deny (a reason), the warrant fixed to the task', () => {
    const form = taskForm(task('decide-warrant', 'W-3'), catalogue, judge);
    expect(form.mode).toBe('decision');
    expect(form.commands.map((c) => c.command)).toEqual(['approveWarrant', 'denyWarrant']);
    const [approve, deny] = form.commands as [CommandForm, CommandForm];
    expect(field(approve, 'warrantRef')).toEqual({ kind: 'fixed', name: 'warrantRef', value: 'W-3' });
    expect(field(approve, 'validFor')).toEqual({ kind: 'duration', name: 'validFor', required: false });
    expect(field(deny, 'reason')).toMatchObject({
      kind: 'choice',
      required: true,
      multiple: false,
      options: ['insufficient-grounds', 'defective', 'other'],
    });
    expect(form.commands.every((c) => c.allowed)).toBe(true);
  });

  it('tells a court clerk the warrant is not theirs to decide (the permission matrix, per command)', () => {
    const form = taskForm(task('decide-warrant', 'W-3'), catalogue, clerk);
    expect(form.commands.map((c) => [c.command, c.allowed, c.who])).toEqual([
      ['approveWarrant', false, { JUDICIARY: ['judge'] }],
      ['denyWarrant', false, { JUDICIARY: ['judge'] }],
    ]);
  });

  it('a detention ruling: extend (by a duration) or end (released or remanded), the arrest fixed', () => {
    const form = taskForm(task('release-or-extend', 'A-7'), catalogue, judge);
    expect(form.commands.map((c) => c.command)).toEqual(['extendDetention', 'endDetention']);
    expect(field(form.commands[0]!, 'arrestRef')).toMatchObject({ kind: 'fixed', value: 'A-7' });
    expect(field(form.commands[0]!, 'extendBy')).toMatchObject({ kind: 'duration' });
    expect(field(form.commands[1]!, 'outcome')).toMatchObject({ kind: 'choice', options: ['released', 'remanded'] });
  });

  it('a protection task is completed with an outcome code from the kind of task', () => {
    const referral = taskForm(task('accept-referral', 'V-1', { assignee: 'CHILD_PROTECTION' }), catalogue, social);
    expect(referral.mode).toBe('complete');
    const complete = referral.commands[0]!;
    expect(complete.command).toBe('completeTask');
    expect(field(complete, 'taskId')).toMatchObject({ kind: 'fixed', value: 'case-PE-LIM-2026-0042~T3' });
    expect(field(complete, 'outcome')).toMatchObject({
      kind: 'choice',
      options: ['accepted'],
      preselected: 'accepted',
    });
    const exam = taskForm(task('medical-exam', 'V-1', { assignee: 'CHILD_PROTECTION' }), catalogue, social)
      .commands[0]!;
    expect(field(exam, 'outcome')).toMatchObject({
      options: ['examined', 'examined-malnourished', 'examined-referred-to-hospital'],
      labels: 'outcome',
    });
    expect(field(exam, 'outcome')).not.toHaveProperty('preselected');
  });

  it('builds arguments from the form: fixed fields from the model, never from the body', () => {
    const approve = taskForm(task('decide-warrant', 'W-3'), catalogue, judge).commands[0]!;
    expect(argsFromForm(approve, { 'f.warrantRef': 'W-99', 'f.validFor.amount': '7', 'f.validFor.unit': 'd' })).toEqual(
      {
        warrantRef: 'W-3',
        validFor: '7d',
      },
    );
    expect(argsFromForm(approve, { 'f.validFor.amount': '', 'f.validFor.unit': 'h' })).toEqual({ warrantRef: 'W-3' });
    // Junk goes to the API as it is, for the API to refuse with its own message.
    expect(argsFromForm(approve, { 'f.validFor.amount': 'lots', 'f.validFor.unit': 'x' })).toEqual({
      warrantRef: 'W-3',
      validFor: 'lotsd',
    });
    const deny = taskForm(task('decide-warrant', 'W-3'), catalogue, judge).commands[1]!;
    expect(argsFromForm(deny, { 'f.reason': ['defective', 'other'], actor: 'JUDICIARY' })).toEqual({
      warrantRef: 'W-3',
      reason: 'defective',
    });
    expect(argsFromForm(deny, {})).toEqual({ warrantRef: 'W-3' });
  });

  it('names the field an API message is about', () => {
    const approve = taskForm(task('decide-warrant', 'W-3'), catalogue, judge).commands[0]!;
    expect(fieldOfDetail(approve, 'args.validFor: must be a duration such as 500ms, 30s, 5m, 2h or 7d')).toBe(
      'validFor',
    );
    expect(fieldOfDetail(approve, 'validFor: at most 7d, the validity this case\u2019s policy allows')).toBe(
      'validFor',
    );
    expect(fieldOfDetail(approve, 'args.warrantRef: invalid')).toBeUndefined();
    expect(fieldOfDetail(approve, 'no case X')).toBeUndefined();
  });

  it('offers a prosecutor a warrant request on the case page, with the case references to choose from', () => {
    const refs = { L: ['L-1', 'L-2'], S: ['S-1'] };
    const [request] = caseActionForms(catalogue, prosecutor, 'INVESTIGATION', refs);
    expect(request?.command).toBe('requestWarrant');
    expect(field(request!, 'kind')).toMatchObject({ kind: 'choice', options: ['search', 'arrest'] });
    expect(field(request!, 'locationRefs')).toMatchObject({
      kind: 'choice',
      multiple: true,
      options: ['L-1', 'L-2'],
      labels: 'ref',
    });
    expect(argsFromForm(request!, { 'f.kind': 'search', 'f.locationRefs': ['L-1', 'L-2'] })).toEqual({
      kind: 'search',
      locationRefs: ['L-1', 'L-2'],
    });
    expect(caseActionForms(catalogue, judge, 'INVESTIGATION', refs)).toEqual([]);
    expect(caseActionForms(catalogue, prosecutor, 'CLOSED', refs)).toEqual([]);
  });

  it('knows a duration by what its pattern accepts, and a reference by its prefix', () => {
    expect(isDurationPattern('^(\\d+)(ms|s|m|h|d)$')).toBe(true);
    expect(isDurationPattern('^\\d+[smhd]$')).toBe(true);
    expect(isDurationPattern('^W-\\d{1,5}$')).toBe(false);
    expect(isDurationPattern('.*')).toBe(false);
    expect(isDurationPattern('(')).toBe(false);
    expect(refPrefix('^W-\\d{1,5}$')).toBe('W');
    expect(refPrefix('^WT-\\d{1,5}$')).toBe('WT');
    expect(refPrefix('^[a-z]+$')).toBeUndefined();
    const plain = commandForm(
      catalogue.find((c) => c.name === 'approveWarrant')!,
      judge,
    );
    expect(field(plain, 'warrantRef')).toMatchObject({ kind: 'text' });
  });
});
