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
