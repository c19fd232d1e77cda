import { describe, expect, it } from 'vitest';
import type { Session } from '../bindings';
import { clientCodeOk, draftFromSession, draftToInput, emptyDraft } from './draft';

describe('the session form', () => {
  it('turns a draft into a session input', () => {
    const d = {
      ...emptyDraft(new Date(2026, 10, 20, 9, 30)),
      place: '  Eastleigh market ',
      lat: -1.27,
      lon: 36.85,
      topics: ['hiv'],
      grid: { 'female-18-49-migrant': '12', 'male-18-49-host': '5' },
      materials: { condoms: '100', leaflets: '' },
      referrals: [{ serviceId: 'svc-1', serviceName: 'Clinic', reason: 'hiv', urgency: 'routine' as const, clientCode: 'A7X-22', followUp: '2026-12-01' }],
    };
    const r = draftToInput(d, 'final');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.started_at).toMatch(/^2026-11-20T09:30:00[+-]\d\d:\d\d$/);
    expect(r.input.place).toBe('Eastleigh market');
    expect(r.input.reached).toHaveLength(2);
    expect(r.input.materials).toEqual({ condoms: 100 });
    expect(r.input.referrals[0]).toEqual({ service_id: 'svc-1', reason: 'hiv', urgency: 'routine', client_code: 'A7X-22', follow_up_on: '2026-12-01' });
    expect(r.input.status).toBe('final');
    expect(r.input.version).toBeNull();
  });
  it('refuses a name as a client code, and bad counts', () => {
    expect(clientCodeOk('Amina')).toBe(false);
    expect(clientCodeOk('A7X-22')).toBe(true);
    expect(clientCodeOk('')).toBe(true);
    const d = emptyDraft();
    d.referrals = [{ serviceId: 's', serviceName: 'S', reason: 'hiv', urgency: 'routine', clientCode: 'Amina', followUp: '' }];
    expect(draftToInput(d, 'draft')).toMatchObject({ ok: false, error: 'record.error_client_code' });
    expect(draftToInput({ ...emptyDraft(), grid: { 'male-0-4-host': '-2' } }, 'draft')).toMatchObject({ ok: false, error: 'record.error_count' });
    expect(draftToInput({ ...emptyDraft(), startedAt: '2026-11-20T10:00', endedAt: '2026-11-20T09:00' }, 'draft')).toMatchObject({ ok: false, error: 'record.error_end_before' });
  });
  it('round-trips a stored session for editing with its version', () => {
    const s = {
      id: 'id-1', device_id: 'd', version: 4, started_at: '2026-11-20T09:30:00+03:00', ended_at: null,
      place: 'Kakuma', lat: null, lon: null, accuracy_m: null, admin_area: null, activity: 'screening',
      topics: ['tb'], reached: [{ sex: 'female', age: '0-4', group: 'host', count: 3 }], total_reached: 3,
      materials: { leaflets: 10 }, notes: '', status: 'draft', created_at: '', updated_at: '',
      referrals: [
        { id: 'r1', session_id: 'id-1', service_id: 'svc', service_name: 'TB clinic', reason: 'tb', urgency: 'urgent', client_code: null, status: 'issued', follow_up_on: null, version: 1, created_at: '', updated_at: '' },
        { id: 'r2', session_id: 'id-1', service_id: 'svc-gone', service_name: null, reason: 'tb', urgency: 'urgent', client_code: null, status: 'issued', follow_up_on: null, version: 1, created_at: '', updated_at: '' },
      ],
    } as unknown as Session;
    const d = draftFromSession(s);
    expect(d.referrals.map((r) => r.serviceName)).toEqual(['TB clinic', 'svc-gone']);
    expect(d.startedAt).toBe('2026-11-20T09:30');
    const r = draftToInput(d, 'final');
    expect(r.ok && r.input.id).toBe('id-1');
    expect(r.ok && r.input.version).toBe(4);
    expect(r.ok && r.input.referrals[0].id).toBe('r1');
  });
});
