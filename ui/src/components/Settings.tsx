// Settings: language, the server this device is enrolled with, auto-lock, lock, about.

import type { AppInfo, DirectoryInfo, SyncView } from '../bindings';
import { formatNumber } from '../lib/format';
import { LANGUAGES, type Lang, t } from '../i18n';

/** The idle minutes the app offers (src-tauri's AUTO_LOCK_CHOICES). */
const AUTO_LOCK_CHOICES = [2, 5, 10, 30, 60];

const NATIVE: Record<Lang, string> = { en: 'English', fr: 'Français', pt: 'Português', sw: 'Kiswahili' };

export function Settings(props: {
  lang: Lang;
  setLang: (l: Lang) => void;
  info: AppInfo | null;
  dir: DirectoryInfo | null;
  view: SyncView | null;
  onLock: () => void;
  onEnrol: () => void;
  autoLock: number;
  onAutoLock: (minutes: number) => void;
}) {
  const { lang, dir, view } = props;
  const healthsites = dir?.sources.some((s) => /healthsites|openstreetmap|osm/i.test(s)) ?? false;
  return (
    <section aria-labelledby="settings-title" class="settings">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <div class="field">
        <label for="language">{t('settings.language')}</label>
        <select id="language" data-testid="language" value={lang} onChange={(e) => props.setLang(e.currentTarget.value as Lang)}>
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {NATIVE[l]}
            </option>
          ))}
        </select>
      </div>

      <h3>{t('settings.device')}</h3>
      <dl class="facts">
        <dt>{t('settings.server')}</dt>
        <dd class="wrap">{view?.status.server ?? t('settings.not_enrolled')}</dd>
        {view?.worker && (
          <>
            <dt>{t('settings.worker')}</dt>
            <dd>{view.worker}</dd>
          </>
        )}
        {view?.team && (
          <>
            <dt>{t('settings.team')}</dt>
            <dd>{view.team}</dd>
          </>
        )}
      </dl>
      <div class="field">
        <label for="auto-lock">{t('settings.auto_lock')}</label>
        <select
          id="auto-lock"
          data-testid="auto-lock"
          value={String(props.autoLock)}
          onChange={(e) => props.onAutoLock(Number(e.currentTarget.value))}
        >
          {AUTO_LOCK_CHOICES.map((m) => (
            <option key={m} value={String(m)}>
              {t('settings.auto_lock_option', { n: formatNumber(m, lang) })}
            </option>
          ))}
        </select>
        <p class="hint">{t('settings.auto_lock_hint')}</p>
      </div>
      <div class="actions">
        <button type="button" data-testid="open-enrol" onClick={props.onEnrol}>
          {view?.enrolled ? t('settings.enrol_again') : t('enrol.title')}
        </button>
        <button type="button" class="danger" data-testid="lock" onClick={props.onLock}>
          {t('settings.lock')}
        </button>
      </div>

      <h3>{t('settings.about')}</h3>
      <dl class="facts">
        <dt>{t('settings.version')}</dt>
        <dd>Njia {props.info?.version ?? ''}</dd>
        <dt>{t('settings.directory')}</dt>
        <dd>{dir ? t('settings.services', { count: dir.services, n: formatNumber(dir.services, lang) }) : ''}</dd>
        {dir && dir.sources.length > 0 && (
          <>
            <dt>{t('settings.sources')}</dt>
            <dd>{dir.sources.join(', ')}</dd>
          </>
        )}
      </dl>
      <h4>{t('settings.attributions')}</h4>
      <ul class="plain">
        {healthsites && <li>© OpenStreetMap contributors / healthsites.io (ODbL)</li>}
        <li>{t('settings.natural_earth')}</li>
        <li>{t('settings.geonames')}</li>
      </ul>
    </section>
  );
}
