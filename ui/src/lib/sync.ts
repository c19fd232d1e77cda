// What the sync screen says. "Synced" is claimed only when the store's last complete sync
// moved during the round, the round's report says complete and nothing has been written since
// (pending is 0); anything else is said as it is.

import type { SyncActivity, SyncView } from '../bindings';

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

/** Progress of a round as a fraction 0..1 when it can be told, else null (indeterminate). */
export function progressFraction(a: SyncActivity): number | null {
  const r = a.report;
  if (!r) return null;
  const total = r.ops_pushed + r.ops_pending;
  if (total <= 0) return null;
  return Math.min(1, r.ops_pushed / total);
}
