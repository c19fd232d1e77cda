// The sessions recorded on this device, newest first: edit, or void with a reason.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Session } from '../bindings';
import { errorMessage } from '../lib/errors';
import { formatDateTime, formatNumber } from '../lib/format';
import { t } from '../i18n';
import { ErrorLine, useAutoFocus } from './ui';

export function Sessions(props: { lang: string; revision: number; onEdit: (s: Session) => void; onChanged: () => void }) {
  const { lang } = props;
  const [list, setList] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [voiding, setVoiding] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const load = () =>
    api.sessions(null).then(
      (s) => {
        setList(s);
        setError(null);
      },
      (e) => setError(errorMessage(t, e)),
    );
  useEffect(() => {
    load();
  }, [props.revision]);

  async function doVoid(id: string) {
    if (!reason.trim()) return setError(t('sessions.reason_needed'));
    try {
      await api.voidSession(id, reason.trim());
      setVoiding(null);
      setReason('');
      props.onChanged();
      await load();
    } catch (e) {
      setError(errorMessage(t, e));
    }
  }

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('sessions.title')}</h2>
      <ErrorLine text={error} />
      {list && list.length === 0 && <p class="hint">{t('sessions.none')}</p>}
      {list && list.length > 0 && <p class="hint">{t('sessions.count', { count: list.length })}</p>}
      <ul class="rows">
        {(list ?? []).map((s) => (
          <li key={s.id} class={`card session ${s.status}`} data-testid="session-row" data-id={s.id}>
            <div class="row spread">
              <strong>{t(`activity.${s.activity}`)}</strong>
              <span class={`badge status-${s.status}`}>{t(`status.${s.status}`)}</span>
            </div>
            <p>
              {formatDateTime(s.started_at, lang)}
              {s.place && <> · {s.place}</>}
            </p>
            <p>
              <span data-testid="session-reached">{t('sessions.reached', { count: s.total_reached, n: formatNumber(s.total_reached, lang) })}</span>
              {s.referrals.length > 0 && <> · {t('sessions.referrals', { count: s.referrals.length })}</>}
            </p>
            {s.status === 'voided' && s.void_reason && <p class="hint">{t('sessions.voided_because', { reason: s.void_reason })}</p>}
            {s.status !== 'voided' &&
              (voiding === s.id ? (
                <VoidForm id={s.id} reason={reason} setReason={setReason} onConfirm={() => doVoid(s.id)} onCancel={() => setVoiding(null)} />
              ) : (
                <div class="actions">
                  <button type="button" data-testid="edit-session" onClick={() => props.onEdit(s)}>
                    {t('sessions.edit')}
                  </button>
                  <button
                    type="button"
                    data-testid="void-session"
                    onClick={() => {
                      setVoiding(s.id);
                      setReason('');
                    }}
                  >
                    {t('sessions.void')}
                  </button>
                </div>
              ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

function VoidForm(props: { id: string; reason: string; setReason: (r: string) => void; onConfirm: () => void; onCancel: () => void }) {
  const focusRef = useAutoFocus<HTMLInputElement>();
  return (
    <form
      class="void"
      onSubmit={(e) => {
        e.preventDefault();
        props.onConfirm();
      }}
    >
      <div class="field">
        <label for={`void-${props.id}`}>{t('sessions.void_reason')}</label>
        <input id={`void-${props.id}`} ref={focusRef} data-testid="void-reason" value={props.reason} onInput={(e) => props.setReason(e.currentTarget.value)} />
      </div>
      <div class="actions">
        <button type="submit" class="danger" data-testid="void-confirm">
          {t('sessions.void_confirm')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
