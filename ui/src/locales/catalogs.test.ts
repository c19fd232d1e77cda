import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogs, LANGUAGES } from '../i18n';
import { CATEGORIES, ACTIVITIES, MATERIALS, REFERRAL_STATUSES, URGENCIES } from '../lib/taxonomy';

type Tree = { [k: string]: string | Tree };
function flat(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flat(v, key)) out.set(kk, vv);
  }
  return out;
}
const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (k: string) => k.replace(PLURAL, '');
const en = flat(catalogs.en as Tree);

describe('catalogs', () => {
  for (const lang of LANGUAGES) {
    const cat = flat(catalogs[lang] as Tree);
    const cats = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    it(`${lang}: every key of en, with the plural forms of ${lang}`, () => {
      const missing: string[] = [];
      for (const k of en.keys()) {
        if (PLURAL.test(k)) {
          for (const c of cats) if (!cat.has(`${base(k)}_${c}`)) missing.push(`${base(k)}_${c}`);
        } else if (!cat.has(k)) missing.push(k);
      }
      expect([...new Set(missing)]).toEqual([]);
    });
    it(`${lang}: nothing that en lacks, nothing empty, same placeholders`, () => {
      const enBases = new Set([...en.keys()].map(base));
      for (const [k, v] of cat) {
        expect(enBases.has(base(k)), `${lang}:${k} unknown`).toBe(true);
        expect(v.trim(), `${lang}:${k} empty`).not.toBe('');
        const ph = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort().join();
        const enV = en.get(k) ?? en.get(`${base(k)}_other`) ?? '';
        if (!PLURAL.test(k) || ph(enV).replace('count', '') === ph(v).replace('count', ''))
          expect(ph(v).replace(/,?count/, ''), `${lang}:${k}`).toBe(ph(enV).replace(/,?count/, ''));
      }
    });
  }
  it('names every category, activity, material, urgency and status', () => {
    for (const c of CATEGORIES) expect(en.has(`category.${c}`), c).toBe(true);
    for (const a of ACTIVITIES) expect(en.has(`activity.${a}`), a).toBe(true);
    for (const m of MATERIALS) expect(en.has(`material.${m}`), m).toBe(true);
    for (const u of URGENCIES) expect(en.has(`urgency.${u}`), u).toBe(true);
    for (const s of REFERRAL_STATUSES) expect(en.has(`referral_status.${s}`), s).toBe(true);
  });
  it('has every literal key the source uses', () => {
    const dir = join(__dirname, '..');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.tsx?$/.test(e.name) && !e.name.includes('.test.')) files.push(join(d, e.name));
      }
    };
    walk(dir);
    const missing: string[] = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g)) {
        const k = m[1];
        if (!en.has(k) && !en.has(`${k}_other`)) missing.push(`${f}: ${k}`);
      }
      for (const m of src.matchAll(/error: '([a-z_]+\.[a-z0-9_.]+)'/g)) if (!en.has(m[1])) missing.push(`${f}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });
});
