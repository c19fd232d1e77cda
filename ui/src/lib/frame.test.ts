import { describe, expect, it } from 'vitest';
import type { ServiceHit } from '../bindings';
import { nearest } from './frame';

const hit = (id: string, d: number | null) => ({ id, distance_m: d }) as unknown as ServiceHit;

describe('map framing', () => {
  it('frames the nearest, leaving out one far away', () => {
    const hits = [hit('a', 300), hit('b', 800), hit('c', 1200), hit('d', 3000), hit('e', 200_000)];
    expect(nearest(hits).map((h) => h.id)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('frames at most ten, and all of a text search without distances', () => {
    const many = Array.from({ length: 30 }, (_, i) => hit(String(i), null));
    expect(nearest(many)).toHaveLength(10);
  });
});
