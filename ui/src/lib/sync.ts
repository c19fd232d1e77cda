// What the sync screen says. "Synced" is claimed only when the store's last complete sync
// moved during the round, the round's report says complete and nothing has been written since
// (pending is 0); anything else is said as it is.

import type { RefusedItem, SyncActivity, SyncView } from '../bindings';
import { t } from '../i18n';

export type SyncState = 'not_enrolled' | 'running' | 'synced' | 'incomplete' | 'failed' | 'idle';

/**
 * @param before `status.last_sync` when the round was asked for or seen starting.
 * @param view the sync view read after the round (or now).
 * @param activity the latest `sync` event, if newer than `view.activity`.
 */
export function syncState(before: string | null | undefined, view: SyncView, activity?: SyncActivity): SyncState {
  const a = activity ?? view.activity;
  if (!view.enrolled) return 'not_enrolled';
  if (a.running) return 'running';
  if (a.failure) return 'failed';
  const moved = !!view.status.last_sync && view.status.last_sync !== before;
  if (a.report) {
    const nothingWaits = view.status.pending === 0 && view.status.pending_corrections === 0;
    if (a.report.complete && moved && nothingWaits) return 'synced';
    if (!a.report.complete) return 'incomplete';
  }
  return 'idle';
}

/**
 * Progress of a round as a fraction 0..1 when it can be told, else null (indeterminate):
 * what was sent and received against that plus what is still to send and what the server
 * said remains of the feed. A server that does not count what remains leaves the pull
 * indeterminate while it says more waits.
 */
export function progressFraction(a: SyncActivity): number | null {
  const r = a.report;
  if (!r) return null;
  if (r.more && r.items_remaining == null) return null;
  const done = r.ops_pushed + r.items_received;
  const total = done + r.ops_pending + (r.items_remaining ?? 0);
  if (total <= 0) return null;
  return Math.min(1, done / total);
}

/** Past this, a phone's clock is worth a word: records get the wrong date, and a clock a day
 * off has them refused (the store's `CLOCK_WARNING_MS`). */
export const CLOCK_WARNING_MS = 5 * 60 * 1000;

/** How far off the phone's clock is, in the largest unit that reads naturally. */
export function clockAmount(offsetMs: number): string {
  const minutes = Math.floor(Math.abs(offsetMs) / 60_000);
  if (minutes >= 2 * 24 * 60) return t('sync.days', { count: Math.floor(minutes / (24 * 60)) });
  if (minutes >= 120) return t('sync.hours', { count: Math.floor(minutes / 60) });
  return t('sync.minutes', { count: minutes });
}

const REFUSAL_CODES = ['invalid', 'clock_ahead', 'forbidden', 'unknown_service', 'revoked'];

/** What was refused and why, in the app's language (the server's own words, in English,
 * are shown beneath). A code this app does not know reads as a plain refusal. */
export function refusedLine(r: RefusedItem): string {
  const what =
    r.item === 'correction'
      ? t('sync.refused_correction')
      : r.kind?.startsWith('referral.')
        ? t('sync.refused_referral')
        : t('sync.refused_session');
  const why = t(`sync.refused_code.${REFUSAL_CODES.includes(r.code) ? r.code : 'other'}`);
  return `${what}: ${why}`;
}
