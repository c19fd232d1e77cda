import { describe, expect, it } from 'vitest';
import { categoryName, i18n, initI18n, t } from './i18n';

describe('t', () => {
  it('follows a language switch although plain strings are looked up once', async () => {
    await initI18n('en');
    expect(t('badge.free')).toBe('Free');
    expect(t('badge.free')).toBe('Free');
    await i18n.changeLanguage('fr');
    expect(t('badge.free')).toBe('Gratuit');
    expect(categoryName('hiv')).toBe('VIH');
    await i18n.changeLanguage('en');
    expect(t('badge.free')).toBe('Free');
  });
  it('still passes options through, and names an unknown category by its code', async () => {
    await initI18n('en');
    expect(t('find.results', { count: 1 })).not.toBe(t('find.results', { count: 2 }));
    expect(categoryName('not-a-category')).toBe('not-a-category');
  });
});
