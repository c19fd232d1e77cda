// A service's week ahead in words: the store has read the OpenStreetMap rule (one parser, in
// Rust); here only days, times and phrases are put in the user's language.

import type { DayHours, LocalTime, WeekHours } from '../bindings';
import type { Translate } from './errors';
import { dateTimeFormat } from './intl';

function utcDay(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** "Mon" / "lun." / "seg." / "Jumatatu" for a YYYY-MM-DD day (no time zone shift). */
export function weekdayName(date: string, locale: string, width: 'short' | 'long' = 'short'): string {
  const d = utcDay(date);
  if (!d) return date;
  return dateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(d);
}

/** A local "HH:MM" as the locale writes a 24-hour clock time ("17:00", "17 h 00" never). */
export function formatClock(hhmm: string, locale: string): string {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return hhmm;
  const d = new Date(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2])));
  return dateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(d);
}

/** A moment of the week: the time alone when it is on `today`, else "Mon 08:00". */
export function formatMoment(at: LocalTime, today: string, locale: string): string {
  const clock = formatClock(at.time, locale);
  return at.date === today ? clock : `${weekdayName(at.date, locale)} ${clock}`;
}

/** One day's hours: "Closed", "Open 24 hours", or "08:00–12:30, 14:00–17:00". */
export function formatDayHours(day: DayHours, t: Translate, locale: string): string {
  if (day.all_day) return t('hours.all_day');
  if (day.intervals.length === 0) return t('hours.closed');
  return day.intervals
    .map((i) => {
      const to = formatClock(i.to, locale);
      // Closing at midnight needs no "next day": 18:00–00:00 says it.
      const end = i.ends_next_day && i.to !== '00:00' ? t('hours.next_day', { time: to }) : to;
      return `${formatClock(i.from, locale)}–${end}`;
    })
    .join(', ');
}

/** Open or not, right now, and the next change: "Open now · closes 17:00", "Opens Mon 08:00". */
export function formatNow(week: WeekHours, t: Translate, locale: string): string {
  const today = week.days[0]?.date ?? '';
  if (week.open_now)
    return week.closes_at ? t('hours.open_closes', { time: formatMoment(week.closes_at, today, locale) }) : t('hours.open_now');
  if (week.opens_at) return t('hours.opens', { time: formatMoment(week.opens_at, today, locale) });
  return t('hours.closed_week');
}

export interface WeekRow {
  date: string;
  day: string;
  hours: string;
  today: boolean;
  closed: boolean;
}

/** The week table's rows, today first. */
export function weekRows(week: WeekHours, t: Translate, locale: string): WeekRow[] {
  return week.days.map((d, i) => ({
    date: d.date,
    day: weekdayName(d.date, locale),
    hours: formatDayHours(d, t, locale),
    today: i === 0,
    closed: !d.all_day && d.intervals.length === 0,
  }));
}
