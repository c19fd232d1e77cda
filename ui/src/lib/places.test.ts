import { describe, expect, it } from 'vitest';
import type { Place as DirectoryPlace } from '../bindings';
import type { Place as Town } from './gazetteer';
import { distanceKm, mergeSuggestions } from './places';

const eastleighNorth: DirectoryPlace = { name: 'Eastleigh North', context: 'Nairobi', lat: -1.272, lon: 36.852, services: 41 };
const eastleigh: DirectoryPlace = { name: 'Eastleigh', context: 'KE', lat: -1.2745, lon: 36.8471, services: 230 };
const towns: Town[] = [
  ['Eastleigh', -1.27, 36.85, 'KE', 'Nairobi Area'],
  ['Eastleigh', -26.14, 28.16, 'ZA', 'Gauteng'],
  ['Eastleigh North', -1.27, 36.85, 'KE', 'Nairobi Area'],
];

describe('place suggestions', () => {
  it('lists directory places first, then towns', () => {
    const s = mergeSuggestions([eastleighNorth], towns.slice(0, 2), 8);
    expect(s.map((x) => [x.kind, x.name])).toEqual([
      ['directory', 'Eastleigh North'],
      ['town', 'Eastleigh'],
      ['town', 'Eastleigh'],
    ]);
    expect(s[0]).toEqual({ kind: 'directory', ...eastleighNorth });
  });

  it('merges a town into a directory place of the same name nearby, not one far away', () => {
    const s = mergeSuggestions([eastleigh, eastleighNorth], towns, 8);
    expect(s.map((x) => `${x.kind} ${x.name} ${x.kind === 'town' ? x.country : ''}`.trim())).toEqual([
      'directory Eastleigh',
      'directory Eastleigh North',
      // Eastleigh in Johannesburg is another place with the same name.
      'town Eastleigh ZA',
    ]);
  });

  it('compares names the way the place box does: case and accents aside', () => {
    const sj: DirectoryPlace = { name: 'SÃO JOSÉ', context: 'Maputo', lat: -25.951, lon: 32.572, services: 2 };
    const s = mergeSuggestions([sj], [['São José', -25.95, 32.57, 'MZ', 'Maputo City']], 8);
    expect(s).toHaveLength(1);
    expect(s[0].kind).toBe('directory');
  });

  it('keeps to the limit, directory places first', () => {
    expect(mergeSuggestions([eastleigh, eastleighNorth], towns, 1).map((x) => x.name)).toEqual(['Eastleigh']);
    expect(mergeSuggestions([eastleighNorth], towns, 2).map((x) => x.kind)).toEqual(['directory', 'town']);
    expect(mergeSuggestions([], [], 8)).toEqual([]);
  });

  it('measures great-circle distance', () => {
    // Nairobi to Mombasa, about 440 km.
    const d = distanceKm({ lat: -1.2864, lon: 36.8172 }, { lat: -4.0435, lon: 39.6682 });
    expect(d).toBeGreaterThan(430);
    expect(d).toBeLessThan(450);
    expect(distanceKm({ lat: 1, lon: 2 }, { lat: 1, lon: 2 })).toBe(0);
  });
});
