import { describe, expect, it } from 'vitest';
import { indexPlaces, matchPlaces, normalize, type Place } from './gazetteer';

const places: Place[] = [
  ['Nairobi', -1.2833, 36.8167, 'KE', 'Nairobi Area'],
  ['Nairobi West', -1.3, 36.8, 'KE', 'Nairobi Area'],
  ['Eastleigh', -1.27, 36.85, 'KE', 'Nairobi Area'],
  ['Kakuma', 3.7167, 34.8667, 'KE', 'Turkana'],
  ['Moçâmedes', -15.196, 12.152, 'AO', 'Namibe'],
  ['Addis Ababa', 9.025, 38.7469, 'ET', 'Addis Ababa'],
  ['Dire Dawa', 9.5931, 41.8661, 'ET', 'Dire Dawa'],
  ['Pointe-Noire', -4.77, 11.86, 'CD', 'Kongo Central'],
  ['Nairobi', -1.2833, 36.8167, 'KE', 'Nairobi Area'],
];
const index = indexPlaces(places);
const names = (q: string) => matchPlaces(index, q).map((p) => p[0]);

describe('gazetteer', () => {
  it('normalises case, accents and punctuation', () => {
    expect(normalize('Moçâmedes')).toBe('mocamedes');
    expect(normalize('  Pointe-Noire ')).toBe('pointe noire');
  });
  it('matches prefixes, best first, without duplicates', () => {
    expect(names('nai')).toEqual(['Nairobi', 'Nairobi West']);
    expect(names('Nairobi')[0]).toBe('Nairobi');
  });
  it('ignores diacritics both ways', () => {
    expect(names('mocam')).toEqual(['Moçâmedes']);
    expect(names('MOÇÂ')).toEqual(['Moçâmedes']);
  });
  it('matches the start of any word of the name', () => {
    expect(names('ababa')).toEqual(['Addis Ababa']);
    expect(names('noire')).toEqual(['Pointe-Noire']);
    expect(names('west')).toEqual(['Nairobi West']);
  });
  it('matches a name with its region', () => {
    expect(names('kakuma turk')).toEqual(['Kakuma']);
  });
  it('puts whole-name matches before word matches before inner matches', () => {
    const more = indexPlaces([
      ['Dawa', 1, 1, 'ET', ''],
      ['Dire Dawa', 2, 2, 'ET', ''],
      ['Dawasa', 3, 3, 'TZ', ''],
      ['Medawa', 4, 4, 'TZ', ''],
    ]);
    expect(matchPlaces(more, 'dawa').map((p) => p[0])).toEqual(['Dawa', 'Dawasa', 'Dire Dawa', 'Medawa']);
  });
  it('returns nothing for nothing, and honours the limit', () => {
    expect(names('')).toEqual([]);
    expect(names('zzz')).toEqual([]);
    expect(matchPlaces(index, 'n', 2)).toHaveLength(2);
  });
});
