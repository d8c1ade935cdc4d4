/**
 * Dates, times and countdowns as staff read them: in the time zone of the case's jurisdiction (America/Lima for
 * PE-*), always with the offset from UTC, so a deadline read by someone elsewhere is still unambiguous. Legal
 * deadlines are instants; the offset shown is the one in force at that instant.
 */
import type { Language } from './i18n';

/** Time zones by country (the first part of a jurisdiction code). Unknown countries fall back to the default. */
const ZONES: Record<string, string> = {
  PE: 'America/Lima',
  CO: 'America/Bogota',
  EC: 'America/Guayaquil',
  BO: 'America/La_Paz',
  CL: 'America/Santiago',
  AR: 'America/Argentina/Buenos_Aires',
  PY: 'America/Asuncion',
  UY: 'America/Montevideo',
  VE: 'America/Caracas',
  MX: 'America/Mexico_City',
  GT: 'America/Guatemala',
  ES: 'Europe/Madrid',
};

export function timeZoneForJurisdiction(jurisdiction: string | undefined, fallback = 'UTC'): string {
  const country = (jurisdiction ?? '').split('-')[0]?.toUpperCase() ?? '';
  return ZONES[country] ?? fallback;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC of `zone` at `instant` (-300 for Lima). */
export function offsetMinutes(instant: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** `UTC−05:00`, `UTC+01:00`, `UTC+00:00` (with a real minus sign). */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '\u2212' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

const LOCALES: Record<Language, string> = { es: 'es-PE', en: 'en-GB' };

/** `vie, 12 jun 2026, 14:30 (UTC−05:00)` / `Fri, 12 Jun 2026, 14:30 (UTC−05:00)`. */
export function formatDateTime(iso: string | number | Date, zone: string, lang: Language): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return '';
  const text = new Intl.DateTimeFormat(LOCALES[lang], {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
  return `${text} (${offsetLabel(offsetMinutes(instant, zone))})`;
}

/** A compact duration: `2 d 5 h`, `3 h 10 min`, `12 min`, `40 s` (the same abbreviations in both languages). */
export function compactDuration(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s % 60} s`;
}

export interface Countdown {
  /** Milliseconds until the deadline (negative once it passed). */
  remainingMs: number;
  overdue: boolean;
  /** Within the warning window (e.g. the last 12 hours of a detention) and not yet passed. */
  warning: boolean;
}

export function countdown(deadline: string | number, now: number, warnWithinMs = 0): Countdown {
  const remainingMs = new Date(deadline).getTime() - now;
  return { remainingMs, overdue: remainingMs <= 0, warning: remainingMs > 0 && remainingMs <= warnWithinMs };
}
