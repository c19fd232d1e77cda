// The outreach form's state and its conversion to and from what the store takes. The store
// checks every rule again; this only shapes the input and catches what the CHW can fix here.

import type { Activity, InputStatus, ReferralInput, ReferralStatus, Session, SessionInput, Urgency } from '../bindings';
import { fromReached, type Grid, toReached, totals } from './grid';
import { dateToLocalInput, localToRfc3339, rfc3339ToLocalInput } from './time';

export interface DraftReferral {
  /** A referral already stored (editing a session). */
  id?: string;
  serviceId: string;
  serviceName: string;
  reason: string;
  urgency: Urgency;
  clientCode: string;
  followUp: string;
  status?: ReferralStatus;
}

export interface Draft {
  editing: { id: string; version: number } | null;
  activity: Activity;
  topics: string[];
  place: string;
  lat: number | null;
  lon: number | null;
  accuracy: number | null;
  startedAt: string;
  endedAt: string;
  grid: Grid;
  materials: Record<string, string>;
  notes: string;
  referrals: DraftReferral[];
}

export function emptyDraft(now = new Date()): Draft {
  return {
    editing: null,
    activity: 'health_talk',
    topics: [],
    place: '',
    lat: null,
    lon: null,
    accuracy: null,
    startedAt: dateToLocalInput(now),
    endedAt: '',
    grid: {},
    materials: {},
    notes: '',
    referrals: [],
  };
}

export function draftFromSession(s: Session): Draft {
  return {
    editing: { id: s.id, version: s.version },
    activity: s.activity,
    topics: [...s.topics],
    place: s.place ?? '',
    lat: s.lat,
    lon: s.lon,
    accuracy: s.accuracy_m,
    startedAt: rfc3339ToLocalInput(s.started_at),
    endedAt: s.ended_at ? rfc3339ToLocalInput(s.ended_at) : '',
    grid: fromReached(s.reached),
    materials: Object.fromEntries(Object.entries(s.materials).map(([k, v]) => [k, String(v)])),
    notes: s.notes,
    referrals: s.referrals.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      // A service gone from the directory has no name left: its id stands.
      serviceName: r.service_name ?? r.service_id,
      reason: r.reason,
      urgency: r.urgency,
      clientCode: r.client_code ?? '',
      followUp: r.follow_up_on ?? '',
      status: r.status,
    })),
  };
}

/** A client code is pseudonymous: letters, digits, dashes, at least one digit. */
export function clientCodeOk(code: string): boolean {
  const c = code.trim();
  return c === '' || (c.length <= 32 && /^[A-Za-z0-9_-]+$/.test(c) && /\d/.test(c));
}

/** What is wrong with the draft, as a catalog key and its values, or the input to save. */
export type DraftResult =
  | { ok: true; input: SessionInput }
  | { ok: false; error: string; values?: Record<string, unknown> };

export function draftToInput(d: Draft, status: InputStatus): DraftResult {
  const started = localToRfc3339(d.startedAt);
  if (!started) return { ok: false, error: 'record.error_started' };
  let ended: string | null = null;
  if (d.endedAt.trim()) {
    ended = localToRfc3339(d.endedAt);
    if (!ended) return { ok: false, error: 'record.error_ended' };
    if (new Date(ended).getTime() < new Date(started).getTime()) return { ok: false, error: 'record.error_end_before' };
  }
  const tot = totals(d.grid);
  if (tot.invalid.length) return { ok: false, error: 'record.error_count' };
  const materials: Record<string, number> = {};
  for (const [k, v] of Object.entries(d.materials)) {
    const s = v.trim();
    if (s === '') continue;
    if (!/^\d+$/.test(s)) return { ok: false, error: 'record.error_material', values: { name: k } };
    const n = Number(s);
    if (n > 0) materials[k] = n;
  }
  const referrals: ReferralInput[] = [];
  for (const r of d.referrals) {
    if (!clientCodeOk(r.clientCode)) return { ok: false, error: 'record.error_client_code', values: { code: r.clientCode } };
    const ref: ReferralInput = {
      service_id: r.serviceId,
      reason: r.reason,
      urgency: r.urgency,
    } as ReferralInput;
    if (r.id) ref.id = r.id;
    if (r.clientCode.trim()) ref.client_code = r.clientCode.trim();
    if (r.followUp) ref.follow_up_on = r.followUp;
    if (r.status) ref.status = r.status;
    referrals.push(ref);
  }
  const input = {
    started_at: started,
    ended_at: ended,
    place: d.place.trim() || null,
    lat: d.lat,
    lon: d.lon,
    accuracy_m: d.lat !== null ? d.accuracy : null,
    admin_area: null,
    activity: d.activity,
    topics: d.topics,
    reached: toReached(d.grid),
    materials,
    notes: d.notes.trim(),
    status,
    referrals,
    id: d.editing?.id ?? null,
    version: d.editing?.version ?? null,
  } as SessionInput;
  return { ok: true, input };
}
