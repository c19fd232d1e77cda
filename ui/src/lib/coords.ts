// Typed coordinates: "lat, lon" as a CHW would copy them from a phone or a paper form.
// Accepts "-1.2741, 36.8516", "-1.2741 36.8516", "1.2741 S, 36.8516 E" and, where the comma
// is the decimal mark, "-1,2741; 36,8516".

import { numberFormat } from './intl';

export interface LatLon {
  lat: number;
  lon: number;
}

const NUM = String.raw`([-+−]?\d+(?:[.,]\d+)?)\s*°?\s*([NSEWnsew])?`;
const WITH_SEMI = new RegExp(`^\\s*${NUM}\\s*;\\s*${NUM}\\s*$`);
const WITH_COMMA = new RegExp(`^\\s*${NUM.replace('[.,]', '[.]')}\\s*(?:,\\s*|\\s+)${NUM.replace('[.,]', '[.]')}\\s*$`);

function signed(num: string, hemi: string | undefined, axis: 'lat' | 'lon'): number | null {
  let v = Number(num.replace('−', '-').replace(',', '.'));
  if (!Number.isFinite(v)) return null;
  if (hemi) {
    const h = hemi.toUpperCase();
    if (axis === 'lat' && (h === 'E' || h === 'W')) return null;
    if (axis === 'lon' && (h === 'N' || h === 'S')) return null;
    if (v < 0) return null;
    if (h === 'S' || h === 'W') v = -v;
  }
  return v;
}

/** The point typed, or null if the text is not a pair of coordinates in range. */
export function parseCoordinates(text: string): LatLon | null {
  const m = WITH_COMMA.exec(text) ?? WITH_SEMI.exec(text);
  if (!m) return null;
  const lat = signed(m[1], m[2], 'lat');
  const lon = signed(m[3], m[4], 'lon');
  if (lat === null || lon === null) return null;
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  return { lat, lon };
}

/** True when the text looks like the start of coordinates rather than a place name. */
export function looksNumeric(text: string): boolean {
  return /^\s*[-+−]?\d/.test(text);
}

/** "−1.27410, 36.85160" for showing a point (5 decimals: about a metre). */
export function formatPoint(p: LatLon, locale: string): string {
  const f = numberFormat(locale, { minimumFractionDigits: 4, maximumFractionDigits: 5 });
  const sep = f.format(1.5).includes(',') ? '; ' : ', ';
  return `${f.format(p.lat)}${sep}${f.format(p.lon)}`;
}
