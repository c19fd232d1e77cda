// The people-reached grid: sex × age band rows, migrant/host columns, and the `reached`
// cells a session carries (only the cells with people in them).

import type { AgeBand, Group, Reached, Sex } from '../bindings';

export const SEXES: Sex[] = ['female', 'male', 'other'];
export const AGES: AgeBand[] = ['0-4', '5-17', '18-49', '50+'];
export const GROUPS: Group[] = ['migrant', 'host'];

/** Cell text as typed, keyed by `cellKey`. */
export type Grid = Record<string, string>;

export function cellKey(sex: Sex, age: AgeBand, group: Group): string {
  return `${sex}-${age}-${group}`;
}

/** A count typed in a cell: empty is 0; anything but a whole number ≥ 0 is null. */
export function parseCount(text: string | undefined): number | null {
  const s = (text ?? '').trim();
  if (s === '') return 0;
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function count(grid: Grid, sex: Sex, age: AgeBand, group: Group): number {
  return parseCount(grid[cellKey(sex, age, group)]) ?? 0;
}

export interface Totals {
  /** By `${sex}-${age}`. */
  rows: Record<string, number>;
  /** By group. */
  columns: Record<Group, number>;
  /** By sex (all ages, both groups). */
  sexes: Record<Sex, number>;
  total: number;
  /** Keys of cells whose text is not a count. */
  invalid: string[];
}

export function totals(grid: Grid): Totals {
  const rows: Record<string, number> = {};
  const columns = { migrant: 0, host: 0 } as Record<Group, number>;
  const sexes = { female: 0, male: 0, other: 0 } as Record<Sex, number>;
  const invalid: string[] = [];
  let total = 0;
  for (const sex of SEXES) {
    for (const age of AGES) {
      let row = 0;
      for (const group of GROUPS) {
        const k = cellKey(sex, age, group);
        if (parseCount(grid[k]) === null) invalid.push(k);
        const n = count(grid, sex, age, group);
        row += n;
        columns[group] += n;
      }
      rows[`${sex}-${age}`] = row;
      sexes[sex] += row;
      total += row;
    }
  }
  return { rows, columns, sexes, total, invalid };
}

/** The cells with people in them, in a fixed order. */
export function toReached(grid: Grid): Reached[] {
  const out: Reached[] = [];
  for (const sex of SEXES)
    for (const age of AGES)
      for (const group of GROUPS) {
        const n = count(grid, sex, age, group);
        if (n > 0) out.push({ sex, age, group, count: n });
      }
  return out;
}

export function fromReached(reached: Reached[]): Grid {
  const grid: Grid = {};
  for (const r of reached) grid[cellKey(r.sex, r.age, r.group)] = String(r.count);
  return grid;
}
