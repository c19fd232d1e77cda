import { describe, expect, it } from 'vitest';
import { formatDistance, languageName } from './format';
import { formattersMade, numberFormat } from './intl';

describe('Intl formatters', () => {
  it('are made once per locale and options, then reused', () => {
    formatDistance(1234, 'en');
    languageName('sw', 'en');
    const before = formattersMade();
    for (let i = 0; i < 50; i++) {
      formatDistance(1234 + i, 'en');
      languageName('so', 'en');
    }
    expect(formattersMade()).toBe(before);
    expect(numberFormat('en', { maximumFractionDigits: 1 })).toBe(numberFormat('en', { maximumFractionDigits: 1 }));
  });
  it('keep locales and options apart', () => {
    expect(numberFormat('en')).not.toBe(numberFormat('fr'));
    expect(numberFormat('en', { maximumFractionDigits: 0 })).not.toBe(numberFormat('en', { maximumFractionDigits: 2 }));
    expect(formatDistance(1234, 'en').replace(/\s/g, ' ')).toBe('1.2 km');
    expect(formatDistance(1234, 'fr').replace(/[\s\u202f]/g, ' ')).toBe('1,2 km');
  });
});
