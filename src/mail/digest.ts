/** When daily digests go out: a wall-clock time in a time zone, turned into instants (DST-safe). */
import { offsetMinutes } from '../web/time';

function zonedParts(instant: number, zone: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/** The instant of wall-clock `hh:mm` on the local date y-m-d in `zone`. */
function localInstant(y: number, m: number, d: number, hh: number, mm: number, zone: string): number {
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wall - offsetMinutes(new Date(wall), zone) * 60_000;
  // Once more with the offset in force at the guess (differs only around a DST change).
  guess = wall - offsetMinutes(new Date(guess), zone) * 60_000;
  return guess;
}

/** The next instant after `now` at which the clock in `zone` reads `at` (HH:MM). */
export function nextDigestAt(now: number, at: string, zone: string): number {
  const [hh = 0, mm = 0] = at.split(':').map(Number);
  const { y, m, d } = zonedParts(now, zone);
  let candidate = localInstant(y, m, d, hh, mm, zone);
  for (let i = 1; candidate <= now && i <= 2; i++) {
    const next = zonedParts(Date.UTC(y, m - 1, d + i, 12), 'UTC');
    candidate = localInstant(next.y, next.m, next.d, hh, mm, zone);
  }
  return candidate;
}

/** The local date of `instant` in `zone`, as YYYY-MM-DD (one digest per person per day). */
export function dayIn(instant: number, zone: string): string {
  const { y, m, d } = zonedParts(instant, zone);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
