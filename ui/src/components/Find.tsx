// Find services: a point (place name, typed coordinates, map click or GPS), filter chips,
// text search as you type; results as a list and on the offline map.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { ServiceHit } from '../bindings';
import { formatPoint, looksNumeric, parseCoordinates, type LatLon } from '../lib/coords';
import { errorMessage } from '../lib/errors';
import { formatDistance, languageName, regionName } from '../lib/format';
import { loadGazetteer, matchPlaces } from '../lib/gazetteer';
import { mergeSuggestions, type Suggestion } from '../lib/places';
import { CATEGORIES, CLIENT_LANGUAGES } from '../lib/taxonomy';
import { categoryName, t } from '../i18n';
import { MapView } from './MapView';
import { Chip, ErrorLine, Icon } from './ui';

export interface FindState {
  point: LatLon | null;
  /** What the point is called: the place chosen, or its coordinates. */
  label: string;
  placeText: string;
  categories: string[];
  language: string;
  free: boolean;
  noDocuments: boolean;
  interpreter: boolean;
  openNow: boolean;
  text: string;
}

export const emptyFind: FindState = {
  point: null,
  label: '',
  placeText: '',
  categories: [],
  language: '',
  free: false,
  noDocuments: false,
  interpreter: false,
  openNow: false,
  text: '',
};

const LIMIT = 50;
/** Lines in the place box's list. */
const PLACES = 8;

/** Directory places and towns for what was typed; a failed directory lookup still gives the towns. */
function lookupPlaces(text: string): Promise<Suggestion[]> {
  return Promise.all([
    loadGazetteer(),
    api.places(text, PLACES).catch(() => []),
  ]).then(([index, directory]) => mergeSuggestions(directory, matchPlaces(index, text, PLACES), PLACES));
}

export function Find(props: {
  lang: string;
  state: FindState;
  setState: (f: (s: FindState) => FindState) => void;
  selected: string | null;
  onOpen: (hit: ServiceHit) => void;
  children?: preact.ComponentChildren;
}) {
  const { state, setState, lang } = props;
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [near, setNear] = useState<ServiceHit[] | null>(null);
  const [found, setFound] = useState<ServiceHit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [placeNote, setPlaceNote] = useState<string | null>(null);
  const nearSeq = useRef(0);
  const searchSeq = useRef(0);
  const placeSeq = useRef(0);
  const placeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const set = (patch: Partial<FindState>) => setState((s) => ({ ...s, ...patch }));

  // Near-me whenever the point or a filter changes.
  useEffect(() => {
    if (!state.point) {
      setNear(null);
      return;
    }
    const seq = ++nearSeq.current;
    setBusy(true);
    api
      .near({
        lat: state.point.lat,
        lon: state.point.lon,
        radius_km: null,
        limit: LIMIT,
        categories: state.categories,
        languages: state.language ? [state.language] : [],
        free: state.free,
        no_documents: state.noDocuments,
        interpreter: state.interpreter,
        open_now: state.openNow,
      })
      .then(
        (hits) => {
          if (seq !== nearSeq.current) return;
          setNear(hits);
          setError(null);
          setBusy(false);
        },
        (e) => {
          if (seq !== nearSeq.current) return;
          setError(errorMessage(t, e));
          setBusy(false);
        },
      );
  }, [
    state.point?.lat,
    state.point?.lon,
    state.categories.join(),
    state.language,
    state.free,
    state.noDocuments,
    state.interpreter,
    state.openNow,
  ]);

  // Text search as you type, debounced; ranked by distance when a point is set.
  useEffect(() => {
    const text = state.text.trim();
    const seq = ++searchSeq.current;
    if (!text) {
      setFound(null);
      return;
    }
    const timer = setTimeout(() => {
      api
        .search({ text, lat: state.point?.lat ?? null, lon: state.point?.lon ?? null, limit: LIMIT })
        .then(
          (hits) => {
            if (seq !== searchSeq.current) return;
            setFound(hits);
            setError(null);
          },
          (e) => seq === searchSeq.current && setError(errorMessage(t, e)),
        );
    }, 150);
    return () => clearTimeout(timer);
  }, [state.text, state.point?.lat, state.point?.lon]);

  function choosePoint(p: LatLon, label: string) {
    // An answer still on its way is for text no longer there.
    placeSeq.current++;
    clearTimeout(placeTimer.current);
    set({ point: p, label, placeText: label });
    setSuggestions([]);
    setActive(-1);
    setPlaceNote(null);
  }

  function onPlaceInput(text: string) {
    set({ placeText: text });
    setPlaceNote(null);
    // Latest wins: each keystroke cancels the lookup of the one before.
    const seq = ++placeSeq.current;
    clearTimeout(placeTimer.current);
    if (!text.trim() || looksNumeric(text)) {
      setSuggestions([]);
      return;
    }
    placeTimer.current = setTimeout(() => {
      lookupPlaces(text).then((found) => {
        if (seq !== placeSeq.current) return;
        setSuggestions(found);
        setActive(-1);
      });
    }, 120);
  }

  useEffect(() => () => clearTimeout(placeTimer.current), []);

  /** A country code as the country's name in the UI's language; other contexts as they are. */
  function contextName(context: string | null): string | null {
    return context && /^[A-Z]{2}$/.test(context) ? regionName(context, lang) : context;
  }

  function placeLabel(p: Suggestion): string {
    const parts = p.kind === 'directory' ? [p.name, contextName(p.context)] : [p.name, p.region, regionName(p.country, lang)];
    return parts.filter(Boolean).join(', ');
  }

  function onPlaceKey(e: KeyboardEvent) {
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      setActive((a) => Math.min(suggestions.length - 1, a + 1));
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Escape') {
      setSuggestions([]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const typed = (e.currentTarget as HTMLInputElement).value;
      const coords = parseCoordinates(typed);
      if (coords) return choosePoint(coords, formatPoint(coords, lang));
      const p = suggestions[Math.max(0, active)];
      if (p) return choosePoint({ lat: p.lat, lon: p.lon }, p.name);
      // Enter before the suggestions arrived: match now.
      const seq = ++placeSeq.current;
      clearTimeout(placeTimer.current);
      lookupPlaces(typed).then((found) => {
        if (seq !== placeSeq.current) return;
        const best = found[0];
        if (best) choosePoint({ lat: best.lat, lon: best.lon }, best.name);
        else setPlaceNote(t('find.place_unknown'));
      });
    }
  }

  function useGps() {
    if (!navigator.geolocation) return setPlaceNote(t('find.gps_unavailable'));
    setPlaceNote(t('find.gps_waiting'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const p = { lat: pos.coords.latitude, lon: pos.coords.longitude };
        choosePoint(p, formatPoint(p, lang));
      },
      () => setPlaceNote(t('find.gps_failed')),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  const toggleCat = (c: string) =>
    setState((s) => ({
      ...s,
      categories: s.categories.includes(c) ? s.categories.filter((x) => x !== c) : [...s.categories, c],
    }));

  const searching = state.text.trim() !== '';
  const hits = searching ? found : near;
  // The latest handler, behind a callback that never changes, so the list below is made
  // again only when the results, the selection or the language change (a filter tap
  // renders this screen three times; the fifty rows once).
  const onOpen = useRef(props.onOpen);
  onOpen.current = props.onOpen;
  const open = useCallback((h: ServiceHit) => onOpen.current(h), []);
  const list = useMemo(
    () => <ResultList hits={hits ?? []} selected={props.selected} lang={lang} onOpen={open} />,
    [hits, props.selected, lang, open],
  );
  const languageOptions = useMemo(
    () =>
      CLIENT_LANGUAGES.map((c) => (
        <option value={c} key={c}>
          {languageName(c, lang)}
        </option>
      )),
    [lang],
  );

  return (
    <div class={props.children ? 'find with-service' : 'find'}>
      <section class="find-controls" aria-label={t('find.controls')}>
        <div class="field combo">
          <label for="place">{t('find.place_label')}</label>
          <div class="row">
            <input
              id="place"
              data-testid="place-input"
              type="text"
              autocomplete="off"
              role="combobox"
              aria-expanded={suggestions.length > 0}
              aria-controls="place-options"
              aria-activedescendant={active >= 0 ? `place-opt-${active}` : undefined}
              placeholder={t('find.place_placeholder')}
              value={state.placeText}
              onInput={(e) => onPlaceInput(e.currentTarget.value)}
              onKeyDown={onPlaceKey}
            />
            <button type="button" class="icon-btn" aria-label={t('find.use_gps')} title={t('find.use_gps')} onClick={useGps}>
              <Icon name="gps" />
            </button>
          </div>
          {suggestions.length > 0 && (
            <ul id="place-options" role="listbox" class="options" aria-label={t('find.place_suggestions')}>
              {suggestions.map((p, i) => (
                <li
                  key={`${p.kind}-${p.name}-${p.lat}-${p.lon}`}
                  id={`place-opt-${i}`}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? 'active' : ''}
                  data-testid="place-option"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choosePoint({ lat: p.lat, lon: p.lon }, p.name)}
                >
                  {placeLabel(p)}
                  {p.kind === 'directory' && (
                    <span class="option-note"> · {t('find.place_services', { count: p.services })}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
          <p class="hint" aria-live="polite">
            {placeNote ??
              (state.point
                ? t('find.point_is', { point: state.label || formatPoint(state.point, lang) })
                : t('find.place_hint'))}
          </p>
        </div>

        <div class="field">
          <label for="search">{t('find.search_label')}</label>
          <input
            id="search"
            data-testid="search-input"
            type="search"
            autocomplete="off"
            placeholder={t('find.search_placeholder')}
            value={state.text}
            onInput={(e) => set({ text: e.currentTarget.value })}
          />
        </div>

        <div class="chips" role="group" aria-label={t('find.filters')}>
          <Chip testid="chip-free" pressed={state.free} onToggle={() => set({ free: !state.free })}>
            {t('badge.free')}
          </Chip>
          <Chip testid="chip-no-documents" pressed={state.noDocuments} onToggle={() => set({ noDocuments: !state.noDocuments })}>
            {t('badge.no_documents')}
          </Chip>
          <Chip testid="chip-interpreter" pressed={state.interpreter} onToggle={() => set({ interpreter: !state.interpreter })}>
            {t('badge.interpreter')}
          </Chip>
          <Chip testid="chip-open-now" pressed={state.openNow} onToggle={() => set({ openNow: !state.openNow })}>
            {t('find.open_now')}
          </Chip>
          <label class="chip-select">
            <span>{t('find.language')}</span>
            <select value={state.language} onChange={(e) => set({ language: e.currentTarget.value })}>
              <option value="">{t('find.any_language')}</option>
              {languageOptions}
            </select>
          </label>
        </div>
        <div class="chips scroll" role="group" aria-label={t('find.categories')}>
          {CATEGORIES.map((c) => (
            <Chip key={c} testid={`chip-cat-${c}`} pressed={state.categories.includes(c)} onToggle={() => toggleCat(c)}>
              {t(`category.${c}`)}
            </Chip>
          ))}
        </div>
      </section>

      <MapView
        testid="map"
        class="find-map"
        label={t('find.map_label')}
        point={state.point}
        hits={hits ?? undefined}
        selected={props.selected}
        onPick={(p) => choosePoint(p, formatPoint(p, lang))}
        onSelect={props.onOpen}
      />

      <section class="find-results" aria-label={t('find.results_label')} aria-busy={busy}>
        {props.children ?? (
          <>
            <ErrorLine text={error} />
            <h2 class="results-head" aria-live="polite">
              {hits === null
                ? searching
                  ? t('find.searching')
                  : t('find.choose_point')
                : searching
                  ? t('find.search_results', { count: hits.length })
                  : t('find.results', { count: hits.length })}
            </h2>
            {hits && hits.length === 0 && <p class="hint">{t('find.nothing')}</p>}
            {list}
          </>
        )}
      </section>
    </div>
  );
}

/** The results as buttons that open each service; the accessible twin of the map. */
function ResultList(props: { hits: ServiceHit[]; selected: string | null; lang: string; onOpen: (h: ServiceHit) => void }) {
  const { lang } = props;
  return (
    <ul class="results">
      {props.hits.map((h) => (
        <li key={h.id}>
          <button
            type="button"
            class={h.id === props.selected ? 'result sel' : 'result'}
            data-testid="result"
            data-id={h.id}
            onClick={() => props.onOpen(h)}
          >
            <span class="result-top">
              <strong class="result-name">{h.name}</strong>
              {h.distance_m != null && <span class="dist">{formatDistance(h.distance_m, lang)}</span>}
            </span>
            <span class="result-meta">
              <OpenBadge open={h.open} />
              {h.free_of_charge && <span class="badge">{t('badge.free')}</span>}
              {h.no_documents_required && <span class="badge">{t('badge.no_documents')}</span>}
              {h.interpreter_available && <span class="badge">{t('badge.interpreter')}</span>}
            </span>
            <span class="result-cats">{h.categories.map(categoryName).join(' · ')}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function OpenBadge(props: { open: boolean | null | undefined }) {
  if (props.open === true) return <span class="badge open">{t('open.open')}</span>;
  if (props.open === false) return <span class="badge closed">{t('open.closed')}</span>;
  return <span class="badge unknown">{t('open.unknown')}</span>;
}
