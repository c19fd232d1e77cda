import { describe, expect, it } from 'vitest';
import { cellKey, fromReached, parseCount, toReached, totals } from './grid';

describe('people-reached grid', () => {
  const grid = {
    [cellKey('female', '18-49', 'migrant')]: '12',
    [cellKey('female', '18-49', 'host')]: '3',
    [cellKey('male', '18-49', 'host')]: '5',
    [cellKey('other', '0-4', 'migrant')]: '0',
    [cellKey('male', '50+', 'migrant')]: ' 2 ',
  };
  it('totals rows, columns, sexes and the whole', () => {
    const t = totals(grid);
    expect(t.rows['female-18-49']).toBe(15);
    expect(t.rows['male-18-49']).toBe(5);
    expect(t.rows['other-0-4']).toBe(0);
    expect(t.columns).toEqual({ migrant: 14, host: 8 });
    expect(t.sexes).toEqual({ female: 15, male: 7, other: 0 });
    expect(t.total).toBe(22);
    expect(t.invalid).toEqual([]);
  });
  it('keeps only cells with people, in a fixed order', () => {
    expect(toReached(grid)).toEqual([
      { sex: 'female', age: '18-49', group: 'migrant', count: 12 },
      { sex: 'female', age: '18-49', group: 'host', count: 3 },
      { sex: 'male', age: '18-49', group: 'host', count: 5 },
      { sex: 'male', age: '50+', group: 'migrant', count: 2 },
    ]);
  });
  it('round-trips through reached cells', () => {
    expect(totals(fromReached(toReached(grid))).total).toBe(22);
    expect(fromReached([{ sex: 'male', age: '5-17', group: 'host', count: 4 }])).toEqual({ 'male-5-17-host': '4' });
  });
  it('flags what is not a count and leaves it out of the totals', () => {
    const t = totals({ 'female-0-4-host': '-1', 'male-0-4-host': '2.5', 'other-50+-host': 'x', 'female-5-17-host': '7' });
    expect(t.invalid).toEqual(['female-0-4-host', 'male-0-4-host', 'other-50+-host']);
    expect(t.total).toBe(7);
  });
  it('parses counts', () => {
    expect(parseCount('')).toBe(0);
    expect(parseCount(undefined)).toBe(0);
    expect(parseCount('007')).toBe(7);
    expect(parseCount('1e3')).toBeNull();
  });
});
