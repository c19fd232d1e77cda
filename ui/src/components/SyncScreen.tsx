// Sync: what waits to go up, the last complete sync, the last error in words, "Sync now"
// with progress. The round runs in the background task; this only shows and asks.

import type { SyncActivity, SyncView } from '../bindings';
import { errorMessage } from '../lib/errors';
import { formatAgo, formatBytes, formatDateTime, formatNumber } from '../lib/format';
import { CLOCK_WARNING_MS, clockAmount, progressFraction, refusedLine, type SyncState } from '../lib/sync';
import { t } from '../i18n';
import { ErrorLine, Icon } from './ui';

export function SyncScreen(props: {
  lang: string;
  view: SyncView | null;
  activity: SyncActivity | null;
  state: SyncState;
  askError: string | null;
  onSyncNow: () => void;
  onEnrol: () => void;
}) {
  const { view, lang, state } = props;
  const a = props.activity ?? view?.activity ?? null;
  const r = a?.report ?? null;
  const frac = a ? progressFraction(a) : null;
  const failure = a?.failure ? errorMessage(t, a.failure) : view?.status.last_error ? t('sync.last_error_stored', { message: view.status.last_error }) : null;

  return (
    <section aria-labelledby="sync-title" class="sync">
      <h2 id="sync-title">{t('sync.title')}</h2>
      {view && !view.enrolled && (
        <div class="notice">
          <p>{t('sync.not_enrolled')}</p>
          <button type="button" class="primary" onClick={props.onEnrol}>
            {t('enrol.title')}
          </button>
        </div>
      )}
      <p class={`sync-state ${state}`} data-testid="sync-state" role="status" aria-live="polite">
        {t(`sync.state.${state}`)}
      </p>
      {view?.status.clock_offset_ms != null && Math.abs(view.status.clock_offset_ms) > CLOCK_WARNING_MS && (
        <p class="notice warn" data-testid="clock-warning" role="alert">
          {t('sync.clock_warning', { amount: clockAmount(view.status.clock_offset_ms) })}
        </p>
      )}
      <dl class="facts">
        <dt>{t('sync.pending')}</dt>
        <dd>
          <span class="big" data-testid="pending-count">
            {view ? view.status.pending : ''}
          </span>{' '}
          {view && t('sync.pending_ops', { count: view.status.pending })}
          {view && view.status.pending_corrections > 0 && <> · {t('sync.pending_corrections', { count: view.status.pending_corrections })}</>}
        </dd>
        <dt>{t('sync.last_sync')}</dt>
        <dd data-testid="last-sync">
          {view?.status.last_sync
            ? `${formatDateTime(view.status.last_sync, lang)} (${formatAgo(view.status.last_sync, lang)})`
            : t('sync.never')}
        </dd>
        {view?.status.last_attempt && view.status.last_attempt !== view.status.last_sync && (
          <>
            <dt>{t('sync.last_attempt')}</dt>
            <dd>{formatDateTime(view.status.last_attempt, lang)}</dd>
          </>
        )}
        <dt>{t('sync.last_error')}</dt>
        <dd data-testid="last-error">{failure ?? t('sync.no_error')}</dd>
        {view?.status.server && (
          <>
            <dt>{t('settings.server')}</dt>
            <dd class="wrap">{view.status.server}</dd>
          </>
        )}
      </dl>
      <div class="actions">
        <button type="button" class="primary" data-testid="sync-now" disabled={!view?.enrolled || a?.running} onClick={props.onSyncNow}>
          <Icon name="sync" /> {a?.running ? t('sync.running') : t('sync.now')}
        </button>
      </div>
      <ErrorLine text={props.askError} />
      {a?.running && (
        <progress class="bar" max={1} value={frac ?? undefined} aria-label={t('sync.progress')} />
      )}
      {view && view.refused.length > 0 && (
        <div class="card refused" data-testid="refused">
          <h3>{t('sync.refused_title')}</h3>
          <p>{t('sync.refused_intro')}</p>
          <ul class="plain">
            {view.refused.map((item) => (
              <li key={`${item.item}-${item.id}-${item.idx ?? ''}`}>
                {refusedLine(item)}
                <br />
                <small lang="en">{item.reason}</small>
              </li>
            ))}
          </ul>
        </div>
      )}
      {r && (
        <div class="card">
          <h3>{a?.running ? t('sync.this_round') : t('sync.last_round')}</h3>
          <ul class="plain">
            <li>{t('sync.ops_pushed', { count: r.ops_pushed })}</li>
            <li>{t('sync.services_received', { count: r.services_received, n: formatNumber(r.services_received, lang) })}</li>
            {a?.running && r.items_remaining != null && r.items_remaining > 0 && (
              <li data-testid="changes-left">{t('sync.changes_left', { count: r.items_remaining, n: formatNumber(r.items_remaining, lang) })}</li>
            )}
            {r.services_removed > 0 && <li>{t('sync.services_removed', { count: r.services_removed })}</li>}
            {r.corrections_sent > 0 && <li>{t('sync.corrections_sent', { count: r.corrections_sent })}</li>}
            <li>{t('sync.requests', { count: r.requests })}</li>
            <li>{t('sync.bytes', { sent: formatBytes(r.bytes_sent, lang), received: formatBytes(r.bytes_received, lang) })}</li>
          </ul>
        </div>
      )}
    </section>
  );
}
