/**
 * Notification e-mails, composed from a task and nothing else: its kind, its reference, its case's reference, when
 * it is due and a link to it. No names, no case facts, not the codename: a mailbox is read, forwarded and archived
 * far outside our reach, and whoever opens the link still signs in and sees only what they may know. Texts come
 * from the web app's catalogues, in the person's language; times are in the person's time zone, with the offset.
 */
import { createHash } from 'node:crypto';
import type { Agency } from '../domain/agencies';
import type { HumanTask } from '../domain/tasks';
import { escapeHtml } from '../web/html';
import { t, tPlural, type Language } from '../web/i18n';
import { agencyName, taskLabel } from '../web/labels';
import { formatDateTime } from '../web/time';

export const MAIL_EVENT_TYPES = ['task-created', 'task-reminder', 'task-escalated'] as const;
export type MailEventType = (typeof MAIL_EVENT_TYPES)[number];

export function isMailEvent(type: string): type is MailEventType {
  return (MAIL_EVENT_TYPES as readonly string[]).includes(type);
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic: the same event for the same person always has the same id, so a receiver can drop a repeat. */
  messageId: string;
}

export interface Reader {
  email: string;
  language: Language;
  timeZone: string;
}

/** The task fields a mail may use: this is the whole of what a mail can say. */
export type MailTask = Pick<HumanTask, 'id' | 'kind' | 'ref' | 'caseId' | 'dueAt' | 'title'>;

export function messageIdFor(eventSource: string, eventId: string, staffId: string): string {
  const h = createHash('sha256').update(`${eventSource}\n${eventId}\n${staffId}`).digest('hex').slice(0, 40);
  return `<${h}@case-orchestrator.mail>`;
}

export const taskLink = (linkBase: string, taskId: string): string => `${linkBase}/tasks/${encodeURIComponent(taskId)}`;

function layout(lang: Language, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1a1a1a;line-height:1.5">${body}
<p style="color:#4a4a4a;font-size:13px">${escapeHtml(t(lang, 'mail.footer'))}</p></body></html>`;
}

export function composeTaskMail(input: {
  eventType: MailEventType;
  eventSource: string;
  eventId: string;
  task: MailTask;
  /** The agency whose copy of the event this is (the assignee, or an escalation agency). */
  agency: Agency;
  staffId: string;
  reader: Reader;
  linkBase: string;
}): MailMessage {
  const { task, reader } = input;
  const lang = reader.language;
  const label = taskLabel(lang, task);
  const due = formatDateTime(task.dueAt, reader.timeZone, lang);
  const agency = agencyName(lang, input.agency);
  const link = taskLink(input.linkBase, task.id);
  const subject = t(lang, `mail.subject.${input.eventType}`, { caseId: task.caseId, label, due });
  const lead = t(lang, `mail.lead.${input.eventType}`, { agency });
  const text = [
    lead,
    '',
    label,
    `${t(lang, 'mail.case')}: ${task.caseId}`,
    `${t(lang, 'mail.due')}: ${due}`,
    '',
    `${t(lang, 'mail.open')}: ${link}`,
    '',
    '--',
    t(lang, 'mail.footer'),
  ].join('\n');
  const html = layout(
    lang,
    subject,
    `<p>${escapeHtml(lead)}</p>
<p><strong>${escapeHtml(label)}</strong><br>${escapeHtml(t(lang, 'mail.case'))}: ${escapeHtml(task.caseId)}<br>${escapeHtml(
      t(lang, 'mail.due'),
    )}: ${escapeHtml(due)}</p>
<p><a href="${escapeHtml(link)}">${escapeHtml(t(lang, 'mail.open'))}</a></p>`,
  );
  return {
    to: reader.email,
    subject,
    text,
    html,
    messageId: messageIdFor(input.eventSource, input.eventId, input.staffId),
  };
}

export interface DigestItem {
  taskId: string;
  kind: string;
  ref?: string;
  caseId: string;
  dueAt: string;
  title: string;
}

export function composeDigest(input: {
  staffId: string;
  day: string;
  items: readonly DigestItem[];
  reader: Reader;
  linkBase: string;
}): MailMessage {
  const { reader } = input;
  const lang = reader.language;
  const items = [...input.items].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const subject = tPlural(lang, 'mail.digest.subject', items.length);
  const line = (i: DigestItem) => {
    const task = { id: i.taskId, kind: i.kind, caseId: i.caseId, title: i.title, ...(i.ref ? { ref: i.ref } : {}) };
    return {
      label: taskLabel(lang, task),
      due: formatDateTime(i.dueAt, reader.timeZone, lang),
      link: taskLink(input.linkBase, i.taskId),
      caseId: i.caseId,
    };
  };
  const lines = items.map(line);
  const text = [
    t(lang, 'mail.digest.lead'),
    '',
    ...lines.flatMap((l) => [`- ${l.label} (${l.caseId})`, `  ${t(lang, 'mail.due')}: ${l.due}`, `  ${l.link}`]),
    '',
    `${t(lang, 'mail.digest.inbox')}: ${input.linkBase}/inbox`,
    '',
    '--',
    t(lang, 'mail.footer'),
  ].join('\n');
  const html = layout(
    lang,
    subject,
    `<p>${escapeHtml(t(lang, 'mail.digest.lead'))}</p><ul>${lines
      .map(
        (l) =>
          `<li><a href="${escapeHtml(l.link)}">${escapeHtml(l.label)}</a> (${escapeHtml(l.caseId)})<br>${escapeHtml(
            t(lang, 'mail.due'),
          )}: ${escapeHtml(l.due)}</li>`,
      )
      .join(
        '',
      )}</ul><p><a href="${escapeHtml(`${input.linkBase}/inbox`)}">${escapeHtml(t(lang, 'mail.digest.inbox'))}</a></p>`,
  );
  return {
    to: reader.email,
    subject,
    text,
    html,
    messageId: messageIdFor('digest', input.day, input.staffId),
  };
}
