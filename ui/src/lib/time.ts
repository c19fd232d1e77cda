// Times as the form shows them (`datetime-local`, the device's wall clock) and as a session
// stores them (RFC 3339 with the offset that was in force then, so "09:30 in Nairobi" stays
// 09:30 +03:00 wherever it is read).

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** "+03:00" for an offset of 180 minutes east of UTC. */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? '-' : '+';
  const m = Math.abs(minutesEast);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/**
 * "2026-11-20T09:30" (a datetime-local value) → "2026-11-20T09:30:00+03:00". The offset is
 * the device's at that moment (so a date across a DST change gets its own), unless given in
 * minutes east of UTC. Null for an empty or malformed value.
 */
export function localToRfc3339(value: string, offsetMinutesEast?: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number);
  const probe = new Date(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(probe.getTime()) || probe.getMonth() !== mo - 1 || probe.getDate() !== d) return null;
  const off = offsetMinutesEast ?? -probe.getTimezoneOffset();
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${formatOffset(off)}`;
}

/** A Date as a datetime-local value in the device's time zone. */
export function dateToLocalInput(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * An RFC 3339 time back into the form: the wall-clock time as it was written (the offset of
 * the place it was recorded), so an edit does not shift it.
 */
export function rfc3339ToLocalInput(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(value);
  return m ? `${m[1]}T${m[2]}` : '';
}

/** Today's date in the device's time zone, YYYY-MM-DD. */
export function todayIso(now = new Date()): string {
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
