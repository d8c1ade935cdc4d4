import {
  compactDuration,
  countdown,
  formatDateTime,
  offsetLabel,
  offsetMinutes,
  timeZoneForJurisdiction,
} from '../../src/web/time';

describe('times in the jurisdiction time zone, with the offset', () => {
  it('maps jurisdictions to zones (America/Lima for PE-*)', () => {
    expect(timeZoneForJurisdiction('PE-LIM')).toBe('America/Lima');
    expect(timeZoneForJurisdiction('PE-CUS')).toBe('America/Lima');
    expect(timeZoneForJurisdiction('XX-ABC', 'UTC')).toBe('UTC');
  });

  it('shows the offset in force at that instant', () => {
    expect(offsetMinutes(new Date('2026-06-12T19:30:00Z'), 'America/Lima')).toBe(-300);
    expect(offsetMinutes(new Date('2026-01-12T12:00:00Z'), 'Europe/Madrid')).toBe(60);
    expect(offsetMinutes(new Date('2026-07-12T12:00:00Z'), 'Europe/Madrid')).toBe(120);
    expect(offsetLabel(-300)).toBe('UTC\u221205:00');
    expect(offsetLabel(330)).toBe('UTC+05:30');
    expect(offsetLabel(0)).toBe('UTC+00:00');
  });

  it('formats a deadline in Lima in both languages', () => {
    const iso = '2026-06-12T19:30:00Z';
    const es = formatDateTime(iso, 'America/Lima', 'es');
    const en = formatDateTime(iso, 'America/Lima', 'en');
    expect(es).toMatch(/vie.*12.*jun.*2026.*14:30 \(UTC\u221205:00\)$/);
    expect(en).toMatch(/Fri.*12 Jun 2026.*14:30 \(UTC\u221205:00\)$/);
    expect(formatDateTime('not a date', 'America/Lima', 'en')).toBe('');
  });

  it('counts down compactly, and warns inside the window', () => {
    expect(compactDuration((2 * 24 + 5) * 3_600_000 + 59_000)).toBe('2 d 5 h');
    expect(compactDuration(3 * 3_600_000 + 10 * 60_000)).toBe('3 h 10 min');
    expect(compactDuration(-90_000)).toBe('1 min');
    expect(compactDuration(4_000)).toBe('4 s');
    const now = Date.parse('2026-06-12T00:00:00Z');
    expect(countdown('2026-06-12T11:00:00Z', now, 12 * 3_600_000)).toEqual({
      remainingMs: 11 * 3_600_000,
      overdue: false,
      warning: true,
    });
    expect(countdown('2026-06-13T00:00:00Z', now, 12 * 3_600_000).warning).toBe(false);
    expect(countdown('2026-06-11T23:00:00Z', now, 12 * 3_600_000)).toMatchObject({ overdue: true, warning: false });
  });
});
