import { describe, expect, it } from 'vitest';
import { formatPoint, looksNumeric, parseCoordinates } from './coords';

describe('parseCoordinates', () => {
  it('reads "lat, lon" with a comma or a space', () => {
    expect(parseCoordinates('-1.2741, 36.8516')).toEqual({ lat: -1.2741, lon: 36.8516 });
    expect(parseCoordinates('  -1.2741 36.8516 ')).toEqual({ lat: -1.2741, lon: 36.8516 });
    expect(parseCoordinates('2,45')).toEqual({ lat: 2, lon: 45 });
  });
  it('reads hemispheres and the minus sign of typeset text', () => {
    expect(parseCoordinates('1.2741 S, 36.8516 E')).toEqual({ lat: -1.2741, lon: 36.8516 });
    expect(parseCoordinates('9.03°N 38.74°E')).toEqual({ lat: 9.03, lon: 38.74 });
    expect(parseCoordinates('−25.97, 32.57')).toEqual({ lat: -25.97, lon: 32.57 });
  });
  it('reads decimal commas when a semicolon separates the pair', () => {
    expect(parseCoordinates('-1,2741; 36,8516')).toEqual({ lat: -1.2741, lon: 36.8516 });
  });
  it('refuses what is not a point', () => {
    expect(parseCoordinates('Nairobi')).toBeNull();
    expect(parseCoordinates('91, 30')).toBeNull();
    expect(parseCoordinates('10, 181')).toBeNull();
    expect(parseCoordinates('10 E, 20 N')).toBeNull();
    expect(parseCoordinates('-1.2, 36.8, 4')).toBeNull();
    expect(parseCoordinates('')).toBeNull();
  });
  it('tells numbers from names', () => {
    expect(looksNumeric('-1.2')).toBe(true);
    expect(looksNumeric('Kakuma')).toBe(false);
  });
  it('formats a point in the locale', () => {
    expect(formatPoint({ lat: -1.27411, lon: 36.8516 }, 'en')).toBe('-1.27411, 36.8516');
    expect(formatPoint({ lat: -1.27411, lon: 36.8516 }, 'fr')).toBe('-1,27411; 36,8516');
  });
});
