import { describe, expect, it } from 'vitest';
import type { SyncActivity, SyncProgress, SyncView } from '../bindings';
import { progressFraction, syncState } from './sync';

const progress = (p: Partial<SyncProgress>): SyncProgress => ({
  ops_pushed: 0, ops_pending: 0, corrections_sent: 0, services_received: 0, services_removed: 0,
  ops_received: 0, requests: 1, bytes_sent: 0, bytes_received: 0, complete: false, ...p,
});
const view = (last_sync: string | null, activity: SyncActivity, enrolled = true): SyncView => ({
  enrolled, worker: 'w', team: null, activity,
  status: { server: 'http://s', pending: 0, pending_corrections: 0, cursor: 0, last_sync, last_attempt: last_sync, last_error: null },
});

describe('sync state', () => {
  const done: SyncActivity = { running: false, report: progress({ complete: true }), failure: null };
  it('says synced only when the last complete sync moved and the report is complete', () => {
    expect(syncState('2026-11-25T10:00:00Z', view('2026-11-25T11:00:00Z', done))).toBe('synced');
    expect(syncState('2026-11-25T11:00:00Z', view('2026-11-25T11:00:00Z', done))).toBe('idle');
    expect(syncState(null, view(null, done))).toBe('idle');
  });
  it('never says synced for an incomplete or failed round', () => {
    const partial = { running: false, report: progress({ complete: false }), failure: null };
    expect(syncState(null, view('2026-11-25T11:00:00Z', partial))).toBe('incomplete');
    const failed = { running: false, report: progress({ complete: true }), failure: { kind: 'unreachable', message: 'x' } } as SyncActivity;
    expect(syncState(null, view('2026-11-25T11:00:00Z', failed))).toBe('failed');
  });
  it('says running while a round runs, and not enrolled first', () => {
    const running = { running: true, report: progress({}), failure: null };
    expect(syncState(null, view(null, done), running)).toBe('running');
    expect(syncState(null, view(null, running, false))).toBe('not_enrolled');
  });
  it('tells progress when it can', () => {
    expect(progressFraction({ running: true, report: progress({ ops_pushed: 3, ops_pending: 1 }), failure: null })).toBe(0.75);
    expect(progressFraction({ running: true, report: null, failure: null })).toBeNull();
  });
});

describe('sync state with work left', () => {
  it('does not say synced while changes wait', () => {
    const v = view('2026-11-25T11:00:00Z', { running: false, report: progress({ complete: true }), failure: null });
    v.status.pending = 2;
    expect(syncState(null, v)).toBe('idle');
  });
});
