/**
 * Who of an agency's staff is told of a task event, from the staff directory and the permission matrix:
 * - the assignee agency: the person who claimed the task, if anyone did; otherwise the staff whose role may do the
 *   task's work (a warrant task goes to judges, not to court clerks, who see it but cannot decide it), or all of
 *   the agency's staff for tasks any of them may complete;
 * - an escalation agency (the task is overdue): all of its staff, since escalation asks them to look.
 * A restricted agency's events never reach a channel at all (they travel as CLEARED, to the inbox only), so a
 * conflict of interest cannot leak through a mailbox either.
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
): StaffEntry[] {
  if (reader !== task.assignee) return directory.ofAgency(reader);
  if (task.staffId) {
    const person = directory.get(task.staffId);
    return person && person.agency === reader ? [person] : [];
  }
  const roles = rolesForWork(task.kind, reader, catalogue);
  const staff = directory.ofAgency(reader);
  if (roles === undefined || roles.length === 0) return staff;
  return staff.filter((s) => s.roles.some((r) => roles.includes(r)));
}
