// Record outreach: one session's form. Thin: the draft's shape and its conversion live in
// lib/draft.ts, the totals in lib/grid.ts.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { InputStatus, ServiceHit, Session, Urgency } from '../bindings';
import { formatPoint, parseCoordinates, type LatLon } from '../lib/coords';
import { type Draft, type DraftReferral, clientCodeOk, draftToInput, emptyDraft } from '../lib/draft';
import { errorMessage } from '../lib/errors';
import { formatDistance, formatNumber } from '../lib/format';
import { AGES, cellKey, GROUPS, SEXES, totals } from '../lib/grid';
import { ACTIVITIES, CATEGORIES, MATERIALS, URGENCIES } from '../lib/taxonomy';
import { t } from '../i18n';
import { MapView } from './MapView';
import { Chip, ErrorLine, Icon, useAutoFocus } from './ui';

export function Record(props: {
  lang: string;
  draft: Draft;
  setDraft: (f: (d: Draft) => Draft) => void;
  findPoint: LatLon | null;
  onSaved: (s: Session) => void;
}) {
  const { draft, lang } = props;
  const set = (patch: Partial<Draft>) => props.setDraft((d) => ({ ...d, ...patch }));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Session | null>(null);
  const [busy, setBusy] = useState(false);
  const [showMap, setShowMap] = useState(false);
  const [locNote, setLocNote] = useState<string | null>(null);
  const [locText, setLocText] = useState('');
  const tot = totals(draft.grid);
  const point = draft.lat !== null && draft.lon !== null ? { lat: draft.lat, lon: draft.lon } : null;

  function setPoint(p: LatLon | null, accuracy: number | null = null) {
    set({ lat: p?.lat ?? null, lon: p?.lon ?? null, accuracy });
    setLocText('');
    setLocNote(null);
  }

  function useGps() {
    if (!navigator.geolocation) return setLocNote(t('find.gps_unavailable'));
    setLocNote(t('find.gps_waiting'));
    navigator.geolocation.getCurrentPosition(
      (pos) => setPoint({ lat: pos.coords.latitude, lon: pos.coords.longitude }, pos.coords.accuracy),
      () => setLocNote(t('find.gps_failed')),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  async function save(status: InputStatus) {
    const r = draftToInput(draft, status);
    if (!r.ok) {
      setError(t(r.error, r.values));
      return;
    }
    setBusy(true);
    try {
      const s = draft.editing ? await api.editSession(draft.editing.id, r.input) : await api.saveSession(r.input);
      setSaved(s);
      window.scrollTo(0, 0);
      setError(null);
      props.setDraft(() => emptyDraft());
      props.onSaved(s);
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const setCell = (k: string, v: string) => props.setDraft((d) => ({ ...d, grid: { ...d.grid, [k]: v } }));
  const toggleTopic = (c: string) =>
    props.setDraft((d) => ({ ...d, topics: d.topics.includes(c) ? d.topics.filter((x) => x !== c) : [...d.topics, c] }));
  const setRef = (i: number, patch: Partial<DraftReferral>) =>
    props.setDraft((d) => ({ ...d, referrals: d.referrals.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const materialKeys = [...MATERIALS, ...Object.keys(draft.materials).filter((k) => !MATERIALS.includes(k))];

  return (
    <form class="record" onSubmit={(e) => e.preventDefault()} aria-labelledby="record-title">
      <h2 id="record-title">{draft.editing ? t('record.title_edit') : t('record.title')}</h2>
      {saved && (
        <div class="notice ok" role="status" data-testid="saved">
          {saved.status === 'draft' ? t('record.saved_draft') : t('record.saved_final')}{' '}
          {t('record.saved_reached', { count: saved.total_reached })}
          <button type="button" class="icon-btn small" aria-label={t('common.close')} onClick={() => setSaved(null)}>
            <Icon name="close" size={18} />
          </button>
        </div>
      )}

      <fieldset>
        <legend>{t('record.what')}</legend>
        <div class="field">
          <label for="activity">{t('record.activity')}</label>
          <select id="activity" data-testid="activity" value={draft.activity} onChange={(e) => set({ activity: e.currentTarget.value as Draft['activity'] })}>
            {ACTIVITIES.map((a) => (
              <option key={a} value={a}>
                {t(`activity.${a}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <span class="label" id="topics-label">{t('record.topics')}</span>
          <div class="chips" role="group" aria-labelledby="topics-label">
            {CATEGORIES.map((c) => (
              <Chip key={c} testid={`topic-${c}`} pressed={draft.topics.includes(c)} onToggle={() => toggleTopic(c)}>
                {t(`category.${c}`)}
              </Chip>
            ))}
          </div>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('record.where_when')}</legend>
        <div class="field">
          <label for="session-place">{t('record.place')}</label>
          <input id="session-place" data-testid="session-place" value={draft.place} maxLength={200} onInput={(e) => set({ place: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="session-loc">{t('record.location')}</label>
          <input
            id="session-loc"
            data-testid="session-location"
            placeholder={point ? formatPoint(point, lang) : t('record.location_placeholder')}
            value={locText}
            onInput={(e) => setLocText(e.currentTarget.value)}
            onBlur={() => {
              if (!locText.trim()) return;
              const p = parseCoordinates(locText);
              if (p) setPoint(p);
              else setLocNote(t('record.location_invalid'));
            }}
          />
          <p class="hint" aria-live="polite">
            {locNote ?? (point ? t('record.location_is', { point: formatPoint(point, lang) }) : t('record.location_none'))}
          </p>
          <div class="actions">
            <button type="button" onClick={useGps}>
              <Icon name="gps" /> {t('record.use_gps')}
            </button>
            <button type="button" disabled={!props.findPoint} onClick={() => props.findPoint && setPoint(props.findPoint)}>
              {t('record.use_find_point')}
            </button>
            <button type="button" aria-expanded={showMap} onClick={() => setShowMap(!showMap)}>
              {showMap ? t('record.hide_map') : t('record.pick_on_map')}
            </button>
            {point && (
              <button type="button" onClick={() => setPoint(null)}>
                {t('record.clear_location')}
              </button>
            )}
          </div>
          {showMap && (
            <MapView class="record-map" label={t('record.map_label')} point={point ?? props.findPoint} onPick={(p) => setPoint(p)} />
          )}
        </div>
        <div class="two">
          <div class="field">
            <label for="started-at">{t('record.started')}</label>
            <input id="started-at" data-testid="started-at" type="datetime-local" required value={draft.startedAt} onInput={(e) => set({ startedAt: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="ended-at">{t('record.ended')}</label>
            <input id="ended-at" data-testid="ended-at" type="datetime-local" value={draft.endedAt} onInput={(e) => set({ endedAt: e.currentTarget.value })} />
          </div>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('record.reached')}</legend>
        <table class="grid">
          <caption class="sr-only">{t('record.reached_caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('record.person')}</th>
              {GROUPS.map((g) => (
                <th scope="col" key={g}>
                  {t(`group.${g}`)}
                </th>
              ))}
              <th scope="col">{t('record.total')}</th>
            </tr>
          </thead>
          <tbody>
            {SEXES.map((sex) =>
              AGES.map((age, ai) => (
                <tr key={`${sex}-${age}`} class={ai === 0 ? 'first' : ''}>
                  <th scope="row">
                    {t(`sex.${sex}`)} <span class="age">{t(`age.${age}`)}</span>
                  </th>
                  {GROUPS.map((g) => {
                    const k = cellKey(sex, age, g);
                    const label = `${t(`sex.${sex}`)}, ${t(`age.${age}`)}, ${t(`group.${g}`)}`;
                    return (
                      <td key={g}>
                        <input
                          class={tot.invalid.includes(k) ? 'count bad' : 'count'}
                          data-testid={`reached-${k}`}
                          inputMode="numeric"
                          pattern="[0-9]*"
                          aria-label={label}
                          aria-invalid={tot.invalid.includes(k)}
                          value={draft.grid[k] ?? ''}
                          onInput={(e) => setCell(k, e.currentTarget.value)}
                        />
                      </td>
                    );
                  })}
                  <td class="num">{formatNumber(tot.rows[`${sex}-${age}`], lang)}</td>
                </tr>
              )),
            )}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('record.total')}</th>
              {GROUPS.map((g) => (
                <td class="num" key={g}>
                  {formatNumber(tot.columns[g], lang)}
                </td>
              ))}
              <td class="num grand" data-testid="reached-total" aria-label={t('record.grand_total')}>
                {tot.total}
              </td>
            </tr>
          </tfoot>
        </table>
        <p class="hint" aria-live="polite">
          {t('record.reached_summary', { count: tot.total })}
        </p>
      </fieldset>

      <fieldset>
        <legend>{t('record.materials')}</legend>
        <div class="materials">
          {materialKeys.map((m) => (
            <div class="field inline" key={m}>
              <label for={`mat-${m}`}>{t(`material.${m}`, { defaultValue: m })}</label>
              <input
                id={`mat-${m}`}
                data-testid={`material-${m}`}
                class="count"
                inputMode="numeric"
                pattern="[0-9]*"
                value={draft.materials[m] ?? ''}
                onInput={(e) => {
                  const v = e.currentTarget.value;
                  props.setDraft((d) => ({ ...d, materials: { ...d.materials, [m]: v } }));
                }}
              />
            </div>
          ))}
        </div>
        <div class="field">
          <label for="notes">{t('record.notes')}</label>
          <textarea id="notes" data-testid="notes" rows={3} maxLength={4000} value={draft.notes} onInput={(e) => set({ notes: e.currentTarget.value })} />
          <p class="hint">{t('record.notes_hint')}</p>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('record.referrals')}</legend>
        {draft.referrals.length === 0 && <p class="hint">{t('record.no_referrals')}</p>}
        {draft.referrals.map((r, i) => (
          <div class="card referral" key={`${r.serviceId}-${i}`}>
            <div class="row spread">
              <strong>{r.serviceName}</strong>
              {!r.id && (
                <button
                  type="button"
                  class="icon-btn small"
                  aria-label={t('record.remove_referral', { name: r.serviceName })}
                  onClick={() => props.setDraft((d) => ({ ...d, referrals: d.referrals.filter((_, j) => j !== i) }))}
                >
                  <Icon name="close" size={18} />
                </button>
              )}
            </div>
            <div class="two">
              <div class="field">
                <label for={`ref-reason-${i}`}>{t('record.reason')}</label>
                <select id={`ref-reason-${i}`} data-testid="referral-reason" value={r.reason} onChange={(e) => setRef(i, { reason: e.currentTarget.value })}>
                  {CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {t(`category.${c}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`ref-urgency-${i}`}>{t('record.urgency')}</label>
                <select id={`ref-urgency-${i}`} data-testid="referral-urgency" value={r.urgency} onChange={(e) => setRef(i, { urgency: e.currentTarget.value as Urgency })}>
                  {URGENCIES.map((u) => (
                    <option key={u} value={u}>
                      {t(`urgency.${u}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`ref-code-${i}`}>{t('record.client_code')}</label>
                <input
                  id={`ref-code-${i}`}
                  data-testid="client-code"
                  autocomplete="off"
                  maxLength={32}
                  aria-invalid={!clientCodeOk(r.clientCode)}
                  aria-describedby={`ref-code-hint-${i}`}
                  value={r.clientCode}
                  onInput={(e) => setRef(i, { clientCode: e.currentTarget.value })}
                />
                <p class={clientCodeOk(r.clientCode) ? 'hint' : 'hint bad'} id={`ref-code-hint-${i}`}>
                  {t('record.client_code_hint')}
                </p>
              </div>
              <div class="field">
                <label for={`ref-follow-${i}`}>{t('record.follow_up')}</label>
                <input id={`ref-follow-${i}`} data-testid="follow-up" type="date" value={r.followUp} onInput={(e) => setRef(i, { followUp: e.currentTarget.value })} />
              </div>
            </div>
          </div>
        ))}
        <ReferralPicker
          lang={lang}
          near={point ?? props.findPoint}
          onPick={(h) =>
            props.setDraft((d) => ({
              ...d,
              referrals: [...d.referrals, newReferral(h.id, h.name, h.categories, d.topics)],
            }))
          }
        />
      </fieldset>

      <div class="savebar">
      <ErrorLine text={error} testid="save-error" />
      <div class="actions">
        <button type="button" data-testid="save-draft" disabled={busy} onClick={() => save('draft')}>
          {t('record.save_draft')}
        </button>
        <button type="button" class="primary" data-testid="save-final" disabled={busy} onClick={() => save('final')}>
          {t('record.save_final')}
        </button>
        {draft.editing && (
          <button type="button" onClick={() => props.setDraft(() => emptyDraft())}>
            {t('record.cancel_edit')}
          </button>
        )}
      </div>
      </div>
    </form>
  );
}

/** A referral to a service, its reason guessed from the session's topics or the service. */
export function newReferral(serviceId: string, serviceName: string, categories: string[], topics: string[]): DraftReferral {
  const reason = topics.find((c) => categories.includes(c)) ?? categories.find((c) => (CATEGORIES as readonly string[]).includes(c)) ?? topics[0] ?? 'primary_care';
  return { serviceId, serviceName, reason, urgency: 'routine', clientCode: '', followUp: '' };
}

function ReferralPicker(props: { lang: string; near: LatLon | null; onPick: (h: ServiceHit) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [hits, setHits] = useState<ServiceHit[]>([]);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const q = text.trim();
    const n = ++seq.current;
    if (!q) return setHits([]);
    const timer = setTimeout(() => {
      api.search({ text: q, lat: props.near?.lat ?? null, lon: props.near?.lon ?? null, limit: 10 }).then(
        (h) => n === seq.current && (setHits(h), setError(null)),
        (e) => n === seq.current && setError(errorMessage(t, e)),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [text]);

  if (!open)
    return (
      <button type="button" data-testid="add-referral" onClick={() => setOpen(true)}>
        + {t('record.add_referral')}
      </button>
    );
  return <PickerPanel {...{ text, setText, hits, error }} onCancel={() => setOpen(false)} onPick={(h) => { props.onPick(h); setOpen(false); setText(''); }} lang={props.lang} />;
}

function PickerPanel(props: {
  lang: string;
  text: string;
  setText: (s: string) => void;
  hits: ServiceHit[];
  error: string | null;
  onPick: (h: ServiceHit) => void;
  onCancel: () => void;
}) {
  const { text, setText, hits, error } = props;
  const focusRef = useAutoFocus<HTMLInputElement>();
  return (
    <div class="card">
      <div class="field">
        <label for="referral-search">{t('record.referral_search')}</label>
        <input
          id="referral-search"
          data-testid="referral-search"
          type="search"
          autocomplete="off"
          ref={focusRef}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <ErrorLine text={error} />
      <ul class="results">
        {hits.map((h) => (
          <li key={h.id}>
            <button
              type="button"
              class="result"
              data-testid="referral-option"
              data-id={h.id}
              onClick={() => props.onPick(h)}
            >
              <span class="result-top">
                <strong>{h.name}</strong>
                {h.distance_m != null && <span class="dist">{formatDistance(h.distance_m, props.lang)}</span>}
              </span>
              {h.address && <span class="result-cats">{h.address}</span>}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={props.onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
