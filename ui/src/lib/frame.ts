// Which results the map frames.

import type { ServiceHit } from '../bindings';

/**
 * The results to frame: the ten nearest, less any far beyond the nearest few (one clinic
 * 200 km away should not zoom the map out of the town).
 */
export function nearest(hits: ServiceHit[]): ServiceHit[] {
  const first = hits.slice(0, 10);
  const d3 = first[2]?.distance_m;
  if (d3 == null) return first;
  const cap = Math.max(3 * d3, 2000);
  return first.filter((h, i) => i < 3 || (h.distance_m ?? 0) <= cap);
}
