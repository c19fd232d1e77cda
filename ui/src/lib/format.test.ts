import { describe, expect, it } from 'vitest';
import { formatAgo, formatDay, formatDistance, languageName } from './format';

const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('distances', () => {
  it('says metres under a kilometre, rounded to tens past 100', () => {
    expect(norm(formatDistance(42.4, 'en'))).toBe('42 m');
    expect(norm(formatDistance(348, 'en'))).toBe('350 m');
    expect(norm(formatDistance(996, 'en'))).toBe('1.0 km');
  });
  it('says kilometres with one decimal under 10, whole above', () => {
    expect(norm(formatDistance(1234, 'en'))).toBe('1.2 km');
    expect(norm(formatDistance(15_400, 'en'))).toBe('15 km');
    expect(norm(formatDistance(1_234_000, 'en'))).toBe('1,234 km');
  });
  it('follows the locale', () => {
    expect(norm(formatDistance(1234, 'fr'))).toBe('1,2 km');
    expect(norm(formatDistance(1234, 'pt'))).toBe('1,2 km');
  });
  it('says nothing for nonsense', () => {
    expect(formatDistance(NaN, 'en')).toBe('');
    expect(formatDistance(-1, 'en')).toBe('');
  });
});

describe('dates and names', () => {
  it('shows a day without shifting it across time zones', () => {
    expect(formatDay('2026-11-25', 'en')).toBe('Nov 25, 2026');
  });
  it('says how long ago', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(formatAgo('2026-11-25T11:55:00Z', 'en', now)).toBe('5 minutes ago');
  });
  it('names languages in the UI language', () => {
    expect(languageName('sw', 'en')).toBe('Swahili');
    expect(languageName('so', 'fr')).toBe('somali');
  });
});
