/** Readable renderings of case snapshots and task lists, shared by the CLI and the demo. */
import type { CaseSnapshot } from '../domain/case-state';
import type { HumanTask } from '../domain/tasks';
import { keyValues, table } from './format';

export function taskTable(tasks: HumanTask[]) {
  return table(
    tasks.map((t) => ({ id: t.id, assignee: t.assignee, staff: t.staffId, status: t.status, due: t.dueAt, escalated: t.escalated ? 'yes' : '', title: t.title })),
  );
}

export function renderStatus(s: CaseSnapshot): string {
  return [
    keyValues({ case: s.caseId, codename: s.codename, stage: s.stage, jurisdiction: s.jurisdiction, priority: s.priority, opened: s.openedAt, closed: s.closedAt }),
    `parties: ${s.suspects.length} suspects, ${s.victims.length} victims (${s.victims.filter((v) => v.minor).length} minors), ${s.witnesses.length} witnesses; ${s.locations.length} locations`,
    `warrants: ${s.warrants.map((w) => `${w.ref} ${w.status}`).join(', ') || 'none'}`,
    `raids: ${s.raids.map((r) => `${r.ref} ${r.status} ${r.reported}/${r.locations} reported`).join(', ') || 'none'}`,
    `arrests: ${s.arrests.length} (${s.arrests.filter((a) => a.clockRunning).length} clocks running, ${s.arrests.filter((a) => a.lapsed).length} lapsed)`,
    `seized items: ${s.custodyChains.length} (${s.custodyChains.reduce((n, c) => n + c.custody.length - 1, 0)} custody transfers)`,
    s.restrictedAgencies.length ? `restricted (conflict of interest): ${s.restrictedAgencies.join(', ')}` : '',
    '',
    'open tasks:',
    taskTable(s.openTasks),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

