import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncActivity, SyncReport, SyncView } from '../bindings';
import { initI18n } from '../i18n';
import { clockAmount, progressFraction, refusedLine, syncState } from './sync';

beforeAll(() => initI18n('en'));

const progress = (p: Partial<SyncReport>): SyncReport => ({
  server: 'http://s', ops_pushed: 0, ops_pending: 0, corrections_sent: 0, services_received: 0,
  services_removed: 0, ops_received: 0, items_received: 0, items_remaining: null, requests: 1,
  retries: 0, bytes_sent: 0, bytes_received: 0, cursor: 0, more: false, complete: false,
  refused: [], forks: 0, history_resets: 0, ops_resent: 0, services_reconciled: 0,
  clock_offset_ms: null, server_time: null, ...p,
});
const view = (last_sync: string | null, activity: SyncActivity, enrolled = true): SyncView => ({
  enrolled, worker: 'w', team: null, activity, refused: [],
  status: { server: 'http://s', pending: 0, pending_corrections: 0, cursor: 0, last_sync, last_attempt: last_sync, last_error: null,
    refused: 0, clock_offset_ms: null, clock_warning: null },
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
    const running = (p: Partial<SyncReport>): SyncActivity => ({ running: true, report: progress(p), failure: null });
    expect(progressFraction(running({ ops_pushed: 3, ops_pending: 1 }))).toBe(0.75);
    expect(progressFraction({ running: true, report: null, failure: null })).toBeNull();
    // Before the first answer nothing is known.
    expect(progressFraction(running({}))).toBeNull();
    // A pull: 2,000 of 8,000 feed items received.
    expect(progressFraction(running({ items_received: 2000, items_remaining: 6000, more: true }))).toBe(0.25);
    // Pushing and pulling together count as one bar.
    expect(progressFraction(running({ ops_pushed: 10, items_received: 90, items_remaining: 100, more: true }))).toBe(0.5);
    // The feed read to its end.
    expect(progressFraction(running({ items_received: 500, items_remaining: 0 }))).toBe(1);
  });
  it('leaves a pull indeterminate when the server does not count what remains', () => {
    const r = progress({ ops_pushed: 5, items_received: 4000, more: true, items_remaining: null });
    expect(progressFraction({ running: true, report: r, failure: null })).toBeNull();
  });
});

describe('sync state with work left', () => {
  it('does not say synced while changes wait', () => {
    const v = view('2026-11-25T11:00:00Z', { running: false, report: progress({ complete: true }), failure: null });
    v.status.pending = 2;
    expect(syncState(null, v)).toBe('idle');
  });
});

describe('what the server refused, in words', () => {
  it('says how far off the clock is in a unit that reads naturally', () => {
    expect(clockAmount(7 * 60_000)).toBe('7 minutes');
    expect(clockAmount(-3 * 3_600_000)).toBe('3 hours');
    expect(clockAmount(1095 * 86_400_000)).toBe('1095 days');
  });
  it('names each refusal by its code, and an unknown code as a plain refusal', () => {
    const item = (p: Partial<import('../bindings').RefusedItem>) => ({
      item: 'operation', id: 'x', kind: 'session.create', idx: 3, code: 'clock_ahead', reason: 'r', ...p,
    });
    expect(refusedLine(item({}))).toBe("A session: it was recorded while this phone's date was wrong");
    expect(refusedLine(item({ kind: 'referral.create', code: 'unknown_service' }))).toBe(
      "A referral: the service is not in the office's directory",
    );
    expect(refusedLine(item({ item: 'correction', kind: null, idx: null, code: 'from_the_future' }))).toBe(
      'A correction: refused by the office',
    );
  });
});
