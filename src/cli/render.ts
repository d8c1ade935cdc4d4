/** Readable renderings of what the gateway returns (a case's view, timelines, tasks), for the CLI and the demo. */
import { actorLabel } from '../domain/agencies';
import type { CaseSnapshot } from '../domain/case-state';
import type { StatusView } from '../domain/case-views';
import type { DeadlinePolicy } from '../domain/policy';
import type { TimelineEntry } from '../domain/state';
import type { HumanTask } from '../domain/tasks';
import { keyValues, table } from './format';

export function taskTable(tasks: readonly HumanTask[]): string {
  return table(
    tasks.map((t) => ({
      id: t.id,
      assignee: t.assignee,
      staff: t.staffId,
      status: t.status,
      due: t.dueAt,
      escalated: t.escalated ? 'yes' : '',
      title: t.title,
    })),
  );
}

/** A status view: only the parts the caller's agency may see are there, and only those are shown. */
export function renderStatus(s: StatusView & Partial<CaseSnapshot>): string {
  const lines: string[] = [
    keyValues({
      case: s.caseId,
      codename: s.codename,
      stage: s.stage,
      jurisdiction: s.jurisdiction,
      priority: s.priority,
      opened: s.openedAt,
      closed: s.closedAt,
    }),
  ];
  const parties = [
    s.suspects && `${s.suspects.length} suspects`,
    s.victims && `${s.victims.length} victims (${s.victims.filter((v) => v.minor).length} minors)`,
    s.witnesses && `${s.witnesses.length} witnesses`,
    s.locations && `${s.locations.length} locations`,
  ].filter(Boolean);
  if (parties.length) lines.push(`parties: ${parties.join(', ')}`);
  if (s.warrants) lines.push(`warrants: ${s.warrants.map((w) => `${w.ref} ${w.status}`).join(', ') || 'none'}`);
  if (s.raids) {
    lines.push(
      `raids: ${s.raids.map((r) => `${r.ref} ${r.status} ${r.reported}/${r.locations} reported`).join(', ') || 'none'}`,
    );
    for (const r of s.raids) {
      const outcomes = Object.entries(r.outcomes ?? {}).map(([l, o]) => `${l} ${o}`);
      const f = r.figures;
      lines.push(
        `  ${r.ref}: ${outcomes.join(', ') || 'no location reported'}` +
          (f ? `; ${f.arrests} arrests, ${f.seizures} seizures, ${f.minorsRescued} minors rescued` : ''),
      );
    }
  }
  if (s.arrests) {
    const running = s.arrests.filter((a) => a.clockRunning).length;
    const lapsed = s.arrests.filter((a) => a.lapsed).length;
    lines.push(`arrests: ${s.arrests.length} (${running} clocks running, ${lapsed} lapsed)`);
    for (const a of s.arrests.filter((x) => x.unlawfulDetention)) {
      const u = a.unlawfulDetention!;
      lines.push(`  UNLAWFUL DETENTION ${a.ref} (suspect ${a.suspectRef}): from ${u.from} until ${u.until ?? 'now'}`);
    }
  }
  if (s.defendants?.length) {
    const described = s.defendants.map((d) => {
      const verdict = 'verdict' in d && d.verdict ? ` ${d.verdict.outcome}` : '';
      const until =
        'appealUntil' in d && d.status === 'judged' && d.appealUntil ? ` (appeal until ${d.appealUntil})` : '';
      return `${d.suspectRef} ${d.status}${verdict}${until}`;
    });
    lines.push(`defendants: ${described.join(', ')}`);
  }
  if (s.custodyChains) {
    const transfers = s.custodyChains.reduce((n, c) => n + c.custody.length - 1, 0);
    lines.push(`seized items: ${s.custodyChains.length} (${transfers} custody transfers)`);
  }
  if (s.restrictedAgencies?.length) lines.push(`restricted (conflict of interest): ${s.restrictedAgencies.join(', ')}`);
  if (s.figures) lines.push(`figures: ${keyValues(s.figures).replace(/\n/g, '; ')}`);
  if (s.openTasks) lines.push('', 'open tasks:', taskTable(s.openTasks));
  return lines.join('\n');
}

export function renderTimeline(entries: readonly TimelineEntry[]): string {
  return table(
    entries.map((e) => ({
      at: e.at,
      type: e.type,
      by: e.source === 'system' ? '(system)' : e.by ? actorLabel(e.by) : '',
      ref: e.ref,
      detail: e.detail ? Object.values(e.detail).join(' ') : undefined,
    })),
  );
}

/** A policy: its deadlines as `path  duration`, then its vocabulary. */
export function renderPolicy(p: DeadlinePolicy, caseId?: string): string {
  const durations: Record<string, string> = {};
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') durations[path] = node;
    else if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  const { vocabulary, version, ...deadlines } = p;
  walk(deadlines, '');
  return [
    caseId
      ? `policy of case ${caseId} (version ${version}, fixed when it opened)`
      : `policy new cases open under (version ${version})`,
    '',
    keyValues(durations),
    '',
    'vocabulary:',
    keyValues(Object.fromEntries(Object.entries(vocabulary).map(([list, codes]) => [list, codes.join(', ')]))),
  ].join('\n');
}
