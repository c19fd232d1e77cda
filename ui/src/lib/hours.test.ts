import { beforeAll, describe, expect, it } from 'vitest';
import type { DayHours, WeekHours } from '../bindings';
import { i18n, initI18n, t } from '../i18n';
import { formatClock, formatDayHours, formatMoment, formatNow, weekdayName, weekRows } from './hours';

beforeAll(() => initI18n('en'));

const day = (date: string, intervals: [string, string, boolean?][] = [], all_day = false): DayHours => ({
  date,
  all_day,
  intervals: intervals.map(([from, to, next]) => ({ from, to, ends_next_day: next ?? false })),
});

// Monday 2026-11-23 to Sunday 2026-11-29: a weekday clinic with Saturday mornings.
const clinic: WeekHours = {
  time_zone: 'Africa/Nairobi',
  days: [
    day('2026-11-23', [['08:00', '17:00']]),
    day('2026-11-24', [['08:00', '17:00']]),
    day('2026-11-25', [['08:00', '12:30'], ['14:00', '17:00']]),
    day('2026-11-26', [['08:00', '17:00']]),
    day('2026-11-27', [['22:00', '06:00', true]]),
    day('2026-11-28', [], true),
    day('2026-11-29'),
  ],
  open_now: true,
  closes_at: { date: '2026-11-23', time: '17:00' },
  opens_at: null,
};

describe('days and times', () => {
  it('names weekdays in the language, without shifting the day', () => {
    expect(weekdayName('2026-11-23', 'en')).toBe('Mon');
    expect(weekdayName('2026-11-23', 'en', 'long')).toBe('Monday');
    expect(weekdayName('2026-11-23', 'fr')).toBe('lun.');
    expect(weekdayName('2026-11-23', 'sw', 'long')).toBe('Jumatatu');
    expect(weekdayName('not a day', 'en')).toBe('not a day');
  });
  it('writes clock times on a 24-hour clock', () => {
    expect(formatClock('08:00', 'en')).toBe('08:00');
    expect(formatClock('17:30', 'en')).toBe('17:30');
    expect(formatClock('00:00', 'pt')).toBe('00:00');
    expect(formatClock('soon', 'en')).toBe('soon');
  });
  it('gives the time alone today, the weekday too on another day', () => {
    expect(formatMoment({ date: '2026-11-23', time: '17:00' }, '2026-11-23', 'en')).toBe('17:00');
    expect(formatMoment({ date: '2026-11-24', time: '08:00' }, '2026-11-23', 'en')).toBe('Tue 08:00');
  });
});

describe('a day in words', () => {
  it('lists intervals, says closed and open 24 hours', () => {
    expect(formatDayHours(clinic.days[0], t, 'en')).toBe('08:00–17:00');
    expect(formatDayHours(clinic.days[2], t, 'en')).toBe('08:00–12:30, 14:00–17:00');
    expect(formatDayHours(clinic.days[5], t, 'en')).toBe('Open 24 hours');
    expect(formatDayHours(clinic.days[6], t, 'en')).toBe('Closed');
  });
  it('says when a night ends on the next day, but not for a midnight close', () => {
    expect(formatDayHours(clinic.days[4], t, 'en')).toBe('22:00–06:00 next day');
    expect(formatDayHours(day('2026-11-23', [['18:00', '00:00', true]]), t, 'en')).toBe('18:00–00:00');
  });
  it('makes the week table, today first', () => {
    const rows = weekRows(clinic, t, 'en');
    expect(rows).toHaveLength(7);
    expect(rows[0]).toEqual({ date: '2026-11-23', day: 'Mon', hours: '08:00–17:00', today: true, closed: false });
    expect(rows[6]).toMatchObject({ day: 'Sun', hours: 'Closed', today: false, closed: true });
    expect(rows[5].closed).toBe(false);
  });
});

describe('open now', () => {
  it('says when it closes', () => {
    expect(formatNow(clinic, t, 'en')).toBe('Open now · closes 17:00');
    expect(formatNow({ ...clinic, closes_at: { date: '2026-11-24', time: '06:00' } }, t, 'en')).toBe(
      'Open now · closes Tue 06:00',
    );
  });
  it('says open now alone when it does not close this week', () => {
    expect(formatNow({ ...clinic, closes_at: null }, t, 'en')).toBe('Open now');
  });
  it('says when it opens next, or that it stays closed', () => {
    const closed = { ...clinic, open_now: false, closes_at: null };
    expect(formatNow({ ...closed, opens_at: { date: '2026-11-30', time: '08:00' } }, t, 'en')).toBe('Opens Mon 08:00');
    expect(formatNow({ ...closed, opens_at: { date: '2026-11-23', time: '14:00' } }, t, 'en')).toBe('Opens 14:00');
    expect(formatNow(closed, t, 'en')).toBe('Closed all week');
  });
  it('speaks every language', async () => {
    const closed = { ...clinic, open_now: false, closes_at: null, opens_at: { date: '2026-11-24', time: '08:00' } };
    const want: Record<string, [string, string, string]> = {
      fr: ['Ouvert maintenant · ferme à 17:00', 'Ouvre mar. 08:00', 'Fermé'],
      pt: ['Aberto agora · fecha 17:00', 'Abre ter. 08:00', 'Fechado'],
      sw: ['Wazi sasa · inafungwa 17:00', 'Inafunguliwa Jumanne 08:00', 'Imefungwa'],
    };
    for (const [lang, [open, opens, shut]] of Object.entries(want)) {
      await i18n.changeLanguage(lang);
      expect(formatNow(clinic, t, lang)).toBe(open);
      expect(formatNow(closed, t, lang)).toBe(opens);
      expect(formatDayHours(clinic.days[6], t, lang)).toBe(shut);
    }
    await i18n.changeLanguage('en');
  });
});
