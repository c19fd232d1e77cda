// The catalogs and the language in use. Every string the user reads comes from here.

import i18next from 'i18next';
import en from './locales/en.json';
import fr from './locales/fr.json';
import pt from './locales/pt.json';
import sw from './locales/sw.json';

export const LANGUAGES = ['en', 'fr', 'pt', 'sw'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const catalogs: Record<Lang, Record<string, unknown>> = { en, fr, pt, sw };

const STORAGE_KEY = 'njia.lang';

export function savedLanguage(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && (LANGUAGES as readonly string[]).includes(v)) return v as Lang;
  } catch {
    /* storage unavailable: fall through */
  }
  const nav = (typeof navigator !== 'undefined' ? navigator.language : 'en').slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(nav) ? (nav as Lang) : 'en';
}

export function saveLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* not persisted: still switched for this run */
  }
}

export const i18n = i18next.createInstance();

export function initI18n(lang: Lang): Promise<unknown> {
  return i18n.init({
    lng: lang,
    fallbackLng: 'en',
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: catalogs[l] }])),
    interpolation: { escapeValue: false },
    returnNull: false,
  } as Parameters<typeof i18n.init>[0]);
}

// A string without options is looked up once per language: a results list asks for the same
// badge and category names hundreds of times a render, and i18next resolves each call anew
// (costly where the webview runs JavaScript without its JIT).
const plain = new Map<string, string>();
i18n.on('languageChanged', () => plain.clear());
i18n.on('added', () => plain.clear());
i18n.on('initialized', () => plain.clear());

export const t = (key: string, options?: Record<string, unknown>): string => {
  if (options) return String(i18n.t(key, options as never));
  let s = plain.get(key);
  if (s === undefined) {
    s = String(i18n.t(key));
    plain.set(key, s);
  }
  return s;
};

/** A category's name in the UI's language, or its code where the catalog has none. */
export function categoryName(code: string): string {
  const key = `category.${code}`;
  const s = t(key);
  return s === key ? code : s;
}
