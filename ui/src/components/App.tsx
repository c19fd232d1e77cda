// The app's state and its navigation: which screen, the unlocked store, the sync picture,
// and the drafts that outlive a tab switch (the Find query, the session being written).

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, onLocked, onSync } from '../api';
import type { AppInfo, DirectoryInfo, Service, ServiceHit, Session, SyncActivity, SyncView } from '../bindings';
import { type Draft, draftFromSession, emptyDraft } from '../lib/draft';
import { errorMessage, needsUnlock } from '../lib/errors';
import { syncState } from '../lib/sync';
import { i18n, type Lang, saveLanguage, t } from '../i18n';
import { Enrol } from './Enrol';
import { emptyFind, Find, type FindState } from './Find';
import { newReferral, Record } from './Record';
import { Referrals } from './Referrals';
import { ServicePage } from './ServicePage';
import { Sessions } from './Sessions';
import { Settings } from './Settings';
import { SyncScreen } from './SyncScreen';
import { ErrorLine, Icon } from './ui';
import { Unlock } from './Unlock';

type Tab = 'find' | 'record' | 'sessions' | 'referrals' | 'sync' | 'settings' | 'enrol';
const TABS: Exclude<Tab, 'enrol'>[] = ['find', 'record', 'sessions', 'referrals', 'sync', 'settings'];

export function App() {
  const [lang, setLangState] = useState<Lang>(i18n.language as Lang);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<Tab>('find');
  const [find, setFind] = useState<FindState>(emptyFind);
  const [service, setService] = useState<{ id: string; hit: ServiceHit | null } | null>(null);
  const [draft, setDraft] = useState<Draft>(() => emptyDraft());
  const [dir, setDir] = useState<DirectoryInfo | null>(null);
  const [view, setView] = useState<SyncView | null>(null);
  const [activity, setActivity] = useState<SyncActivity | null>(null);
  const [askError, setAskError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  const [autoLock, setAutoLock] = useState(10);
  const [idleLocked, setIdleLocked] = useState(false);
  // `last_sync` as it was when the round under way started: "synced" only if it moves.
  const baseline = useRef<string | null | undefined>(undefined);
  const wasRunning = useRef(false);
  const main = useRef<HTMLElement>(null);

  function setLang(l: Lang) {
    i18n.changeLanguage(l);
    saveLanguage(l);
    document.documentElement.lang = l;
    setLangState(l);
  }

  useEffect(() => {
    document.documentElement.lang = lang;
    api.appInfo().then(
      (i) => {
        setInfo(i);
        if (i.unlocked) afterUnlock(true);
      },
      (e) => setFatal(errorMessage(t, e)),
    );
    const un = onSync((a) => {
      if (a.running && !wasRunning.current) baseline.current = viewRef.current?.status.last_sync ?? null;
      wasRunning.current = a.running;
      setActivity(a);
      if (!a.running) {
        refreshSync();
        refreshDir();
        setRevision((r) => r + 1);
      }
    }).catch(() => () => {});
    const online = () => {
      api.syncNow().catch(() => {});
    };
    window.addEventListener('online', online);
    // The app locked itself after idle time: back to the unlock screen, drafts dropped.
    const unLocked = onLocked(() => {
      closeScreens();
      setIdleLocked(true);
    }).catch(() => () => {});
    // Touches and key presses keep the app unlocked; told at most every 15 s.
    let told = 0;
    const active = () => {
      const now = Date.now();
      if (now - told < 15_000) return;
      told = now;
      api.stillHere().catch(() => {});
    };
    for (const ev of ['pointerdown', 'keydown', 'wheel'] as const) window.addEventListener(ev, active, { passive: true });
    return () => {
      window.removeEventListener('online', online);
      for (const ev of ['pointerdown', 'keydown', 'wheel'] as const) window.removeEventListener(ev, active);
      un.then((f) => f());
      unLocked.then((f) => f());
    };
  }, []);

  const viewRef = useRef<SyncView | null>(null);
  viewRef.current = view;

  function refreshSync() {
    return api.syncStatus().then(
      (v) => {
        setView(v);
        if (baseline.current === undefined && v.activity.running) baseline.current = null;
      },
      (e) => {
        if (needsUnlock(e)) setOpen(false);
      },
    );
  }
  function refreshDir() {
    return api.directoryInfo().then(setDir, () => {});
  }

  function afterUnlock(enrolled: boolean) {
    setOpen(true);
    setTab(enrolled ? 'find' : 'enrol');
    refreshSync();
    refreshDir();
  }

  async function unlock(passphrase: string): Promise<string | null> {
    try {
      const u = await api.unlock(passphrase);
      setInfo((i) => (i ? { ...i, first_run: false, unlocked: true } : i));
      setAutoLock(u.auto_lock_minutes);
      setIdleLocked(false);
      afterUnlock(u.enrolled);
      return null;
    } catch (e) {
      return errorMessage(t, e);
    }
  }

  async function lock() {
    await api.lock().catch(() => {});
    closeScreens();
  }

  function closeScreens() {
    setOpen(false);
    setView(null);
    setActivity(null);
    setDraft(emptyDraft());
    setService(null);
    api.appInfo().then(setInfo, () => {});
  }

  function changed() {
    refreshSync();
    setRevision((r) => r + 1);
  }

  async function syncNow() {
    setAskError(null);
    baseline.current = view?.status.last_sync ?? null;
    try {
      await api.syncNow();
    } catch (e) {
      setAskError(errorMessage(t, e));
    }
  }

  function go(next: Tab) {
    setTab(next);
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function refer(s: Service) {
    setDraft((d) => ({ ...d, referrals: [...d.referrals, newReferral(s.id, s.name, s.categories, d.topics)] }));
    go('record');
  }

  function edit(s: Session) {
    setDraft(draftFromSession(s));
    go('record');
  }

  const state = view ? syncState(baseline.current, view, activity ?? undefined) : 'idle';
  const pending = view?.status.pending ?? 0;

  if (fatal)
    return (
      <main class="center">
        <ErrorLine text={fatal} />
      </main>
    );
  if (!info) return <main class="center" aria-busy="true" />;

  if (!open)
    return (
      <div class="shell locked">
        <header class="top">
          <h1>Njia</h1>
          <LangPicker lang={lang} setLang={setLang} />
        </header>
        <main class="center">
          <Unlock info={info} idleLocked={idleLocked} onUnlock={unlock} />
        </main>
      </div>
    );

  let screen;
  switch (tab) {
    case 'enrol':
      screen = (
        <Enrol
          server={view?.status.server}
          onDone={(v) => {
            setView(v);
            refreshDir();
            go('find');
          }}
          onSkip={() => go('find')}
        />
      );
      break;
    case 'find':
      screen = (
        <Find lang={lang} state={find} setState={setFind} selected={service?.id ?? null} onOpen={(h) => {
            setService({ id: h.id, hit: h });
            window.scrollTo(0, 0);
          }}>
          {service ? (
            <ServicePage
              lang={lang}
              id={service.id}
              hit={service.hit}
              correctionFields={dir?.correction_fields ?? []}
              onBack={() => setService(null)}
              onRefer={refer}
              onChanged={changed}
            />
          ) : undefined}
        </Find>
      );
      break;
    case 'record':
      screen = <Record lang={lang} draft={draft} setDraft={setDraft} findPoint={find.point} onSaved={changed} />;
      break;
    case 'sessions':
      screen = <Sessions lang={lang} revision={revision} onEdit={edit} onChanged={changed} />;
      break;
    case 'referrals':
      screen = <Referrals lang={lang} revision={revision} onChanged={changed} />;
      break;
    case 'sync':
      screen = (
        <SyncScreen lang={lang} view={view} activity={activity} state={state} askError={askError} onSyncNow={syncNow} onEnrol={() => go('enrol')} />
      );
      break;
    case 'settings':
      screen = (
        <Settings
          lang={lang}
          setLang={setLang}
          info={info}
          dir={dir}
          view={view}
          onLock={lock}
          onEnrol={() => go('enrol')}
          autoLock={autoLock}
          onAutoLock={(m) => api.setAutoLock(m).then(setAutoLock, () => {})}
        />
      );
      break;
  }

  return (
    <div class={`shell tab-${tab}`}>
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header class="top">
        <h1>Njia</h1>
        <button
          type="button"
          class={`pending ${state}`}
          onClick={() => go('sync')}
          aria-label={t('nav.pending_label', { count: pending })}
          title={t('nav.pending_label', { count: pending })}
        >
          <Icon name="sync" size={20} />
          <span data-testid="pending-badge">{pending}</span>
        </button>
      </header>
      <nav class="nav" aria-label={t('nav.label')}>
        {TABS.map((k) => (
          <button
            type="button"
            key={k}
            data-testid={`nav-${k}`}
            aria-current={tab === k ? 'page' : undefined}
            class={tab === k ? 'on' : ''}
            onClick={() => go(k)}
          >
            <Icon name={k} />
            <span>{t(`nav.${k}`)}</span>
          </button>
        ))}
      </nav>
      <main id="main" ref={main} tabIndex={-1} class={`screen screen-${tab}`}>
        {screen}
      </main>
    </div>
  );
}

function LangPicker(props: { lang: Lang; setLang: (l: Lang) => void }) {
  return (
    <label class="lang-pick">
      <span class="sr-only">{t('settings.language')}</span>
      <select value={props.lang} onChange={(e) => props.setLang(e.currentTarget.value as Lang)}>
        <option value="en">English</option>
        <option value="fr">Français</option>
        <option value="pt">Português</option>
        <option value="sw">Kiswahili</option>
      </select>
    </label>
  );
}
