// Every error in words, in the user's language: an AppError (a tagged union on `kind`) maps
// to a catalog entry with its details interpolated. `invalid` and `internal` carry the rule
// or failure in English words only, so those show `message` under a translated lead.

import type { AppError } from '../bindings';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && typeof (e as { kind?: unknown }).kind === 'string';
}

const ENROLL_CODES = ['code_used', 'code_expired', 'code_unknown'];

/** The words to show for anything a command rejected with (or threw). */
export function errorMessage(t: Translate, e: unknown): string {
  if (!isAppError(e)) {
    const text = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    return t('errors.unexpected', { message: text });
  }
  const message = 'message' in e ? e.message : '';
  switch (e.kind) {
    case 'passphrase_too_short':
      return t('errors.passphrase_too_short', { min: e.min, count: e.min });
    case 'weak_passphrase':
      return t(`errors.weak_passphrase_${e.reason}`, { defaultValue: message });
    case 'stale_edit':
      return t('errors.stale_edit', { current: e.current, based_on: e.based_on });
    case 'revoked':
      return t('errors.revoked', { count: e.pending });
    case 'enroll_refused':
      return t(ENROLL_CODES.includes(e.code) ? `errors.enroll_refused_${e.code}` : 'errors.enroll_refused', {
        code: e.code,
      });
    case 'already_synced':
      return t('errors.already_synced', { server: e.server });
    case 'server_error':
      return t('errors.server_error', { status: e.status });
    case 'invalid':
    case 'internal':
    case 'not_found':
    case 'refused':
    case 'bad_address':
      return t(`errors.${e.kind}`, { message });
    default:
      return t(`errors.${e.kind}`, { message, defaultValue: message || e.kind });
  }
}

/** Kinds after which the user should unlock again. */
export function needsUnlock(e: unknown): boolean {
  return isAppError(e) && e.kind === 'locked';
}
