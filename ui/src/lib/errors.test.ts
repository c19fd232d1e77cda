import { beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../bindings';
import { initI18n, i18n, t } from '../i18n';
import { errorMessage } from './errors';

beforeAll(() => initI18n('en'));

describe('errors in words', () => {
  it('has a message for every kind of AppError, in every language', async () => {
    const samples: AppError[] = [
      { kind: 'locked' },
      { kind: 'wrong_passphrase' },
      { kind: 'passphrase_too_short', min: 10 },
      { kind: 'weak_passphrase', reason: 'repeated', message: 'repeats' },
      { kind: 'weak_passphrase', reason: 'sequence', message: 'run' },
      { kind: 'weak_passphrase', reason: 'common', message: 'common' },
      { kind: 'weak_passphrase', reason: 'something_new', message: 'the passphrase is weak in a new way' },
      { kind: 'insecure', message: 'http://x is plain http://' },
      { kind: 'invalid', message: 'topics: unknown category "hvi"' },
      { kind: 'not_found', message: 'no service x' },
      { kind: 'stale_edit', current: 3, based_on: 2, message: 'stale' },
      { kind: 'voided', message: 'voided' },
      { kind: 'not_enrolled' },
      { kind: 'revoked', pending: 4, message: 'revoked' },
      { kind: 'unauthorized', message: 'token' },
      { kind: 'enroll_refused', code: 'code_used', message: 'used' },
      { kind: 'enroll_refused', code: 'something_new', message: '?' },
      { kind: 'already_synced', server: 'https://a', message: 'x' },
      { kind: 'unreachable', message: 'connection refused' },
      { kind: 'timed_out', message: 'timeout' },
      { kind: 'server_error', status: 503, message: 'unavailable' },
      { kind: 'refused', message: 'protocol' },
      { kind: 'bad_address', message: 'no scheme' },
      { kind: 'internal', message: 'disk full' },
    ];
    for (const lang of ['en', 'fr', 'pt', 'sw']) {
      await i18n.changeLanguage(lang);
      for (const e of samples) {
        const m = errorMessage(t, e);
        expect(m, `${lang} ${e.kind}`).not.toMatch(/errors\./);
        expect(m.length).toBeGreaterThan(5);
      }
    }
    await i18n.changeLanguage('en');
  });
  it('interpolates the details', () => {
    expect(errorMessage(t, { kind: 'passphrase_too_short', min: 8 })).toBe('Choose a passphrase of at least 8 characters.');
    expect(errorMessage(t, { kind: 'revoked', pending: 1, message: '' })).toContain('1 change never reached');
    expect(errorMessage(t, { kind: 'revoked', pending: 3, message: '' })).toContain('3 changes never reached');
    expect(errorMessage(t, { kind: 'server_error', status: 503, message: '' })).toContain('503');
    expect(errorMessage(t, { kind: 'stale_edit', current: 3, based_on: 2, message: '' })).toContain('version 3');
    expect(errorMessage(t, { kind: 'enroll_refused', code: 'code_expired', message: '' })).toContain('expired');
    expect(errorMessage(t, { kind: 'weak_passphrase', reason: 'sequence', message: '' })).toContain('1234567890');
    expect(errorMessage(t, { kind: 'weak_passphrase', reason: 'new', message: 'in English' })).toBe('in English');
  });
  it('falls back to the English message for invalid and internal', () => {
    expect(errorMessage(t, { kind: 'invalid', message: 'notes is longer than 4000 characters' })).toBe(
      'Not saved: notes is longer than 4000 characters',
    );
    expect(errorMessage(t, { kind: 'internal', message: 'disk I/O error' })).toContain('disk I/O error');
  });
  it('says something for what is not an AppError', () => {
    expect(errorMessage(t, 'Command foo not found')).toContain('Command foo not found');
    expect(errorMessage(t, new Error('boom'))).toContain('boom');
  });
});
