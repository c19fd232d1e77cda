// Numbers, distances and dates in the user's language, through Intl.

import { dateTimeFormat, displayNames, numberFormat, relativeTimeFormat } from './intl';

/** "350 m", "1.2 km", "15 km" (or "1,2 km" in French). */
export function formatDistance(meters: number, locale: string): string {
  if (!Number.isFinite(meters) || meters < 0) return '';
  if (meters < 1000) {
    const m = meters < 100 ? Math.round(meters) : Math.round(meters / 10) * 10;
    if (m >= 1000) return formatDistance(1000, locale);
    return numberFormat(locale, { style: 'unit', unit: 'meter', unitDisplay: 'short' }).format(m);
  }
  const km = meters / 1000;
  const digits = km < 10 ? 1 : 0;
  return numberFormat(locale, {
    style: 'unit',
    unit: 'kilometer',
    unitDisplay: 'short',
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(km);
}

export function formatNumber(n: number, locale: string): string {
  return numberFormat(locale).format(n);
}

/** A stored RFC 3339 time shown as date and time in the user's language. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A YYYY-MM-DD day shown in the user's language (no time zone shift). */
export function formatDay(day: string | null | undefined, locale: string): string {
  if (!day) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** "5 minutes ago" style, for the last sync. */
export function formatAgo(iso: string, locale: string, now = Date.now()): string {
  const d = new Date(iso).getTime();
  if (Number.isNaN(d)) return iso;
  const s = Math.round((d - now) / 1000);
  const rtf = relativeTimeFormat(locale, { numeric: 'auto' });
  const a = Math.abs(s);
  if (a < 60) return rtf.format(s, 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** A language's name in the user's language: "sw" → "Kiswahili" / "Swahili" / "suaíli". */
export function languageName(code: string, locale: string): string {
  try {
    return displayNames(locale, 'language').of(code) ?? code;
  } catch {
    return code;
  }
}

export function regionName(code: string, locale: string): string {
  try {
    return displayNames(locale, 'region').of(code) ?? code;
  } catch {
    return code;
  }
}

export function formatBytes(n: number, locale: string): string {
  if (n < 1024) return numberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'narrow' }).format(n);
  if (n < 1024 * 1024)
    return numberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(n / 1024);
  return numberFormat(locale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(
    n / 1024 / 1024,
  );
}
