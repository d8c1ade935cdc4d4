import { composeDigest, composeTaskMail, messageIdFor } from '../../src/mail/compose';

const SECRET_NAME = 'Luciana Quispe Mamani';
const task = {
  id: 'protection-PE-LIM-2026-0042-V-1~T2',
  kind: 'medical-exam',
  ref: 'V-1',
  caseId: 'PE-LIM-2026-0042',
  dueAt: '2026-06-12T19:30:00.000Z',
  // Even a title that broke the domain's rule could not reach a mail: the label is made from kind and reference.
  title: `Medical exam of ${SECRET_NAME}`,
};
const reader = { email: 'social-12@example.org', language: 'es' as const, timeZone: 'America/Lima' };

describe('notification mails', () => {
  it('say the task kind, the case reference, the due time with its offset, and a link: nothing else', () => {
    const m = composeTaskMail({
      eventType: 'task-created',
      eventSource: 'urn:case:PE-LIM-2026-0042',
      eventId: 'evt.7',
      task,
      agency: 'CHILD_PROTECTION',
      staffId: 'social-12',
      reader,
      linkBase: 'https://cases.example.org',
    });
    expect(m.to).toBe('social-12@example.org');
    expect(m.subject).toBe(
      '[PE-LIM-2026-0042] Examen médico del menor V-1, vence vie, 12 jun. 2026, 14:30 (UTC\u221205:00)',
    );
    expect(m.text).toContain('Una tarea nueva para Protección de menores:');
    expect(m.text).toContain('Causa: PE-LIM-2026-0042');
    expect(m.text).toContain('https://cases.example.org/tasks/protection-PE-LIM-2026-0042-V-1~T2');
    for (const part of [m.subject, m.text, m.html]) expect(part).not.toContain(SECRET_NAME);
    expect(m.html).toContain('lang="es"');
  });

  it('have a reminder and an escalation wording, in the reader language', () => {
    const base = {
      eventSource: 's',
      eventId: 'e',
      task,
      agency: 'OVERSIGHT' as const,
      staffId: 'o-3',
      linkBase: 'https://x',
    };
    const en = { ...reader, language: 'en' as const };
    expect(composeTaskMail({ ...base, eventType: 'task-reminder', reader: en }).subject).toMatch(
      /^\[PE-LIM-2026-0042\] Reminder: Medical exam of minor V-1, due Fri, 12 Jun 2026, 14:30/,
    );
    expect(composeTaskMail({ ...base, eventType: 'task-escalated', reader: en }).text).toContain(
      'A task is overdue and was escalated to Oversight:',
    );
  });

  it('have a Message-ID that is the same for the same event and person, and differs otherwise', () => {
    expect(messageIdFor('s', 'e1', 'judge-9')).toBe(messageIdFor('s', 'e1', 'judge-9'));
    expect(messageIdFor('s', 'e1', 'judge-9')).not.toBe(messageIdFor('s', 'e1', 'clerk-4'));
    expect(messageIdFor('s', 'e1', 'judge-9')).not.toBe(messageIdFor('s', 'e2', 'judge-9'));
    expect(messageIdFor('s', 'e1', 'judge-9')).toMatch(/^<[0-9a-f]{40}@case-orchestrator\.mail>$/);
  });

  it('list a digest soonest due first, with references only', () => {
    const d = composeDigest({
      staffId: 'fiscal-coord-02',
      day: '2026-06-12',
      items: [
        {
          taskId: 'a~T1',
          kind: 'file-charges',
          ref: 'PE-LIM-2026-0042',
          caseId: 'PE-LIM-2026-0042',
          dueAt: '2026-07-01T00:00:00Z',
          title: SECRET_NAME,
        },
        {
          taskId: 'b~T2',
          kind: 'release-or-extend',
          ref: 'A-2',
          caseId: 'PE-LIM-2026-0042',
          dueAt: '2026-06-13T00:00:00Z',
          title: SECRET_NAME,
        },
      ],
      reader: { email: 'c@example.org', language: 'es', timeZone: 'America/Lima' },
      linkBase: 'https://x',
    });
    expect(d.subject).toBe('Resumen diario: 2 tareas nuevas');
    expect(d.text.indexOf('Resolver la detención del detenido A-2')).toBeLessThan(
      d.text.indexOf('Formalizar la acusación'),
    );
    expect(JSON.stringify(d)).not.toContain(SECRET_NAME);
  });
});
