// The place box's suggestions: the directory's own places (neighbourhoods, camps, estates,
// towns named in its addresses, from the store) first, then the bundled gazetteer's towns,
// one entry per place on the ground.

import type { Place as DirectoryPlace } from '../bindings';
import { normalize, type Place as Town } from './gazetteer';

/** One line of the place box. */
export type Suggestion =
  | {
      kind: 'directory';
      name: string;
      /** The address part after the name ("Nairobi") or a country code ("KE"). */
      context: string | null;
      lat: number;
      lon: number;
      services: number;
    }
  | { kind: 'town'; name: string; lat: number; lon: number; country: string; region: string };

/**
 * A town this close (km) to a directory place of the same name is that place: the directory's
 * point is the median of its services, a gazetteer's the town's centre, and a town is wider
 * than the gap between them.
 */
export const SAME_PLACE_KM = 5;

const EARTH_KM = 6371.0088;

/** Great-circle distance in km; good to metres at these scales. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Directory places first, in the store's order (best match, then more services), then towns
 * in the gazetteer's order, leaving out a town that names the same place as a directory entry
 * (same name once normalised, within SAME_PLACE_KM); at most `limit` in all.
 */
export function mergeSuggestions(directory: DirectoryPlace[], towns: Town[], limit: number): Suggestion[] {
  const out: Suggestion[] = directory.slice(0, limit).map((p) => ({
    kind: 'directory',
    name: p.name,
    context: p.context,
    lat: p.lat,
    lon: p.lon,
    services: p.services,
  }));
  const keyed = out.map((s) => ({ key: normalize(s.name), at: s }));
  for (const [name, lat, lon, country, region] of towns) {
    if (out.length >= limit) break;
    const key = normalize(name);
    const town = { lat, lon };
    if (keyed.some((d) => d.key === key && distanceKm(d.at, town) <= SAME_PLACE_KM)) continue;
    out.push({ kind: 'town', name, lat, lon, country, region });
  }
  return out;
}
