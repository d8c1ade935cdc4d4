/**
 * Who of an agency's staff is told of a task event, from the staff directory and the permission matrix:
 * - the assignee agency: the person who claimed the task, if anyone did; otherwise the staff whose role may do the
 *   task's work (a warrant task goes to judges, not to court clerks, who see it but cannot decide it), or all of
 *   the agency's staff for tasks any of them may complete;
 * - an escalation agency (the task is overdue): all of its staff, since escalation asks them to look.
 * A restricted agency's events travel as CLEARED, for the staff cleared by name: only they are candidates then
 * (`cleared`), so a conflict of interest cannot leak through anyone else's mailbox.
 */
import type { Agency } from '../domain/agencies';
import type { CatalogueEntry } from '../domain/catalogue';
import { taskKindSpec } from '../domain/task-kinds';
import type { HumanTask } from '../domain/tasks';
import type { StaffDirectory, StaffEntry } from './directory';

export function rolesForWork(
  kind: string,
  agency: Agency,
  catalogue: readonly CatalogueEntry[],
): readonly string[] | undefined {
  const resolvedBy = taskKindSpec(kind)?.resolvedBy;
  if (!resolvedBy) return undefined;
  const roles = new Set<string>();
  for (const name of resolvedBy)
    for (const r of catalogue.find((c) => c.name === name)?.who[agency] ?? []) roles.add(r);
  return [...roles];
}

export function recipientsOf(
  reader: Agency,
  task: Pick<HumanTask, 'assignee' | 'staffId' | 'kind'>,
  directory: StaffDirectory,
  catalogue: readonly CatalogueEntry[],
  cleared?: readonly string[],
): StaffEntry[] {
  const staff = directory.ofAgency(reader).filter((s) => !cleared || cleared.includes(s.staffId));
  if (reader !== task.assignee) return staff;
  if (task.staffId) return staff.filter((s) => s.staffId === task.staffId);
  const roles = rolesForWork(task.kind, reader, catalogue);
  if (roles === undefined || roles.length === 0) return staff;
  return staff.filter((s) => s.roles.some((r) => roles.includes(r)));
}
