import { describe, expect, it } from 'vitest';
import { dateToLocalInput, formatOffset, localToRfc3339, rfc3339ToLocalInput, todayIso } from './time';

describe('times', () => {
  it('formats offsets east and west of UTC', () => {
    expect(formatOffset(180)).toBe('+03:00');
    expect(formatOffset(0)).toBe('+00:00');
    expect(formatOffset(-150)).toBe('-02:30');
    expect(formatOffset(345)).toBe('+05:45');
  });
  it('turns a datetime-local value into RFC 3339 with the offset', () => {
    expect(localToRfc3339('2026-11-20T09:30', 180)).toBe('2026-11-20T09:30:00+03:00');
    expect(localToRfc3339('2026-11-20T09:30:15', -60)).toBe('2026-11-20T09:30:15-01:00');
  });
  it('uses the device offset at that date when none is given', () => {
    const v = localToRfc3339('2026-07-01T12:00')!;
    const off = -new Date(2026, 6, 1, 12, 0).getTimezoneOffset();
    expect(v).toBe(`2026-07-01T12:00:00${formatOffset(off)}`);
    // The same instant, read back by Date.
    expect(new Date(v).getTime()).toBe(new Date(2026, 6, 1, 12, 0).getTime());
  });
  it('refuses malformed and impossible dates', () => {
    expect(localToRfc3339('')).toBeNull();
    expect(localToRfc3339('2026-02-30T10:00', 0)).toBeNull();
    expect(localToRfc3339('20/11/2026 09:30', 0)).toBeNull();
  });
  it('reads a stored time back as it was written', () => {
    expect(rfc3339ToLocalInput('2026-11-20T09:30:00+03:00')).toBe('2026-11-20T09:30');
    expect(rfc3339ToLocalInput('nonsense')).toBe('');
  });
  it('writes local dates', () => {
    expect(dateToLocalInput(new Date(2026, 0, 5, 7, 3))).toBe('2026-01-05T07:03');
    expect(todayIso(new Date(2026, 10, 25, 23, 59))).toBe('2026-11-25');
  });
});
