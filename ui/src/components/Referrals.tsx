// Referrals made from this device: follow-ups due today or earlier first, then all, each
// with its outcome to set.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Referral, ReferralStatus } from '../bindings';
import { errorMessage } from '../lib/errors';
import { formatDateTime, formatDay } from '../lib/format';
import { REFERRAL_STATUSES } from '../lib/taxonomy';
import { todayIso } from '../lib/time';
import { t } from '../i18n';
import { ErrorLine } from './ui';

export function Referrals(props: {
  lang: string;
  revision: number;
  onChanged: () => void;
}) {
  const [all, setAll] = useState<Referral[] | null>(null);
  const [due, setDue] = useState<Referral[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const [a, d] = await Promise.all([
        api.referrals({ status: null, session_id: null, due_by: null }),
        api.referrals({ status: 'issued', session_id: null, due_by: todayIso() }),
      ]);
      const newest = (x: Referral, y: Referral) => y.created_at.localeCompare(x.created_at);
      setAll([...a].sort(newest));
      setDue(d);
      setError(null);
    } catch (e) {
      setError(errorMessage(t, e));
    }
  };
  useEffect(() => {
    load();
  }, [props.revision]);

  async function change(r: Referral, patch: { status?: ReferralStatus; follow_up_on?: string | null }) {
    try {
      await api.updateReferral(r.id, { status: patch.status ?? null, ...('follow_up_on' in patch ? { follow_up_on: patch.follow_up_on } : {}) });
      props.onChanged();
      await load();
    } catch (e) {
      setError(errorMessage(t, e));
    }
  }

  const row = (r: Referral, prefix: string) => (
    <li key={prefix + r.id} class="card" data-testid={prefix === 'due-' ? 'due-row' : 'referral-row'} data-id={r.id}>
      <div class="row spread">
        <strong>{r.service_name ?? r.service_id}</strong>
        <span class={`badge ref-${r.status}`}>{t(`referral_status.${r.status}`)}</span>
      </div>
      <p>
        {t(`category.${r.reason}`, { defaultValue: r.reason })} · {t(`urgency.${r.urgency}`)}
        {r.client_code && <> · {t('referrals.code', { code: r.client_code })}</>}
      </p>
      <p class="hint">
        {t('referrals.made', { when: formatDateTime(r.created_at, props.lang) })}
        {r.follow_up_on && <> · {t('referrals.follow_up_on', { day: formatDay(r.follow_up_on, props.lang) })}</>}
      </p>
      <div class="two">
        <div class="field">
          <label for={`${prefix}st-${r.id}`}>{t('referrals.outcome')}</label>
          <select
            id={`${prefix}st-${r.id}`}
            data-testid="referral-status"
            value={r.status}
            onChange={(e) => change(r, { status: e.currentTarget.value as ReferralStatus })}
          >
            {REFERRAL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`referral_status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${prefix}fu-${r.id}`}>{t('record.follow_up')}</label>
          <input
            id={`${prefix}fu-${r.id}`}
            type="date"
            value={r.follow_up_on ?? ''}
            onChange={(e) => change(r, { follow_up_on: e.currentTarget.value || null })}
          />
        </div>
      </div>
    </li>
  );

  return (
    <section aria-labelledby="referrals-title">
      <h2 id="referrals-title">{t('referrals.title')}</h2>
      <ErrorLine text={error} />
      <h3>{t('referrals.due', { count: due.length })}</h3>
      {due.length === 0 ? <p class="hint">{t('referrals.none_due')}</p> : <ul class="rows">{due.map((r) => row(r, 'due-'))}</ul>}
      <h3>{t('referrals.all', { count: all?.length ?? 0 })}</h3>
      {all && all.length === 0 && <p class="hint">{t('referrals.none')}</p>}
      <ul class="rows">{(all ?? []).map((r) => row(r, ''))}</ul>
    </section>
  );
}
