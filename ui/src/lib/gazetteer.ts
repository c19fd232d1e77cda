// Place-name matching over the bundled gazetteer: prefix and diacritic insensitive, best
// matches first (the whole name, then the name's start, then a word's start, then inside).

/** [name, lat, lon, country (ISO 3166-1 alpha-2), region (admin 1 name)] */
export type Place = [string, number, number, string, string];

export interface IndexedPlace {
  place: Place;
  key: string;
  words: string[];
  regionKey: string;
}

/** Lower case, accents and punctuation removed: "Moçâmedes" → "mocamedes". */
export function normalize(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function indexPlaces(places: Place[]): IndexedPlace[] {
  return places.map((place) => {
    const key = normalize(place[0]);
    return { place, key, words: key.split(' '), regionKey: normalize(place[4]) };
  });
}

function score(p: IndexedPlace, q: string, tokens: string[]): number {
  if (p.key === q) return 0;
  if (p.key.startsWith(q)) return 1;
  if (p.words.some((w) => w.startsWith(q))) return 2;
  // "nairobi ke" / "kakuma turkana": every word of the query starts a word of the name or
  // its region.
  if (tokens.length > 1) {
    const all = [...p.words, ...p.regionKey.split(' ')];
    if (tokens.every((t) => all.some((w) => w.startsWith(t)))) return 3;
  }
  if (q.length >= 3 && p.key.includes(q)) return 4;
  return -1;
}

/** The best `limit` places for what was typed. */
export function matchPlaces(index: IndexedPlace[], text: string, limit = 8): Place[] {
  const q = normalize(text);
  if (!q) return [];
  const tokens = q.split(' ');
  const found: { p: IndexedPlace; s: number }[] = [];
  for (const p of index) {
    const s = score(p, q, tokens);
    if (s >= 0) found.push({ p, s });
  }
  found.sort(
    (a, b) =>
      a.s - b.s ||
      a.p.key.length - b.p.key.length ||
      a.p.key.localeCompare(b.p.key) ||
      a.p.place[3].localeCompare(b.p.place[3]),
  );
  const out: Place[] = [];
  const seen = new Set<string>();
  for (const { p } of found) {
    // The same name twice in one region is one answer for a CHW.
    const k = `${p.key}|${p.place[3]}|${p.regionKey}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p.place);
    if (out.length >= limit) break;
  }
  return out;
}

let loaded: Promise<IndexedPlace[]> | null = null;

/** The bundled gazetteer, loaded once on first use (its own chunk). */
export function loadGazetteer(): Promise<IndexedPlace[]> {
  loaded ??= import('virtual:gazetteer').then((m) => indexPlaces(m.default as Place[]));
  return loaded;
}
