// One service whole: how to reach it, when it is open, who it serves; suggest a correction;
// refer someone here.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Service, ServiceHit, WeekHours } from '../bindings';
import { errorMessage } from '../lib/errors';
import { formatDistance, languageName, regionName } from '../lib/format';
import { formatNow, weekdayName, weekRows } from '../lib/hours';
import { categoryName, t } from '../i18n';
import { OpenBadge } from './Find';
import { ErrorLine, Icon } from './ui';

export function ServicePage(props: {
  lang: string;
  id: string;
  hit: ServiceHit | null;
  correctionFields: string[];
  onBack: () => void;
  onRefer: (s: Service) => void;
  onChanged: () => void;
}) {
  const { lang } = props;
  const [svc, setSvc] = useState<Service | null>(null);
  // undefined: not read yet; null: hours unknown or unreadable (shown as written).
  const [week, setWeek] = useState<WeekHours | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [correcting, setCorrecting] = useState(false);

  useEffect(() => {
    setSvc(null);
    setWeek(undefined);
    setError(null);
    setCorrecting(false);
    api.service(props.id).then(setSvc, (e) => setError(errorMessage(t, e)));
    // The week is a nicety over the raw rule: if it cannot be read, the rule stands.
    api.serviceHours(props.id).then(setWeek, () => setWeek(null));
  }, [props.id]);

  const hit = props.hit?.id === props.id ? props.hit : null;

  return (
    <article class="service-page" data-testid="service-page" aria-live="polite">
      <button type="button" class="back" onClick={props.onBack}>
        <Icon name="back" /> {t('service.back')}
      </button>
      <ErrorLine text={error} />
      {!svc && !error && <p class="hint">{t('common.loading')}</p>}
      {svc && (
        <>
          <h2>{svc.name}</h2>
          {svc.organization && <p class="org">{svc.organization}</p>}
          <p class="result-meta">
            <OpenBadge open={hit?.open} />
            {hit?.distance_m != null && <span class="dist">{formatDistance(hit.distance_m, lang)}</span>}
            {svc.free_of_charge && <span class="badge">{t('badge.free')}</span>}
            {svc.no_documents_required && <span class="badge">{t('badge.no_documents')}</span>}
            {svc.interpreter_available && <span class="badge">{t('badge.interpreter')}</span>}
            {svc.migrant_friendly && <span class="badge">{t('badge.migrant_friendly')}</span>}
            {svc.mobile_outreach && <span class="badge">{t('badge.mobile_outreach')}</span>}
          </p>
          <div class="actions">
            <button type="button" class="primary" data-testid="refer-here" onClick={() => props.onRefer(svc)}>
              {t('service.refer_here')}
            </button>
            {svc.phone && (
              <a class="button" href={`tel:${svc.phone.replace(/[^\d+]/g, '')}`}>
                <Icon name="phone" /> {t('service.call')}
              </a>
            )}
          </div>
          {svc.description && <p>{svc.description}</p>}
          <dl class="facts">
            <Fact label={t('service.categories')} value={svc.categories.map(categoryName).join(', ')} />
            <Fact label={t('service.address')} value={[svc.address, svc.country && regionName(svc.country, lang)].filter(Boolean).join(', ')} />
            <Fact label={t('service.phone')} value={svc.phone} link={svc.phone ? `tel:${svc.phone.replace(/[^\d+]/g, '')}` : undefined} />
            <Fact label={t('service.email')} value={svc.email} />
            <Fact label={t('service.website')} value={svc.website} />
            {week ? (
              <>
                <dt>{t('service.hours')}</dt>
                <dd>
                  <Week week={week} raw={svc.opening_hours} lang={lang} />
                </dd>
              </>
            ) : (
              <Fact label={t('service.hours')} value={svc.opening_hours ?? t('open.unknown')} />
            )}
            <Fact
              label={t('service.languages')}
              value={svc.languages.length ? svc.languages.map((l) => languageName(l, lang)).join(', ') : t('service.not_known')}
            />
            <Fact label={t('service.fees')} value={svc.fees ?? (svc.free_of_charge ? t('badge.free') : t('service.not_known'))} />
            <Fact
              label={t('service.documents')}
              value={svc.documents ?? (svc.no_documents_required ? t('badge.no_documents') : t('service.not_known'))}
            />
            <Fact label={t('service.source')} value={svc.source} />
          </dl>
          {correcting ? (
            <Correction
              service={svc}
              fields={props.correctionFields}
              onDone={() => {
                setCorrecting(false);
                props.onChanged();
              }}
              onCancel={() => setCorrecting(false)}
            />
          ) : (
            <button type="button" data-testid="suggest-correction" onClick={() => setCorrecting(true)}>
              {t('service.suggest_correction')}
            </button>
          )}
        </>
      )}
    </article>
  );
}

function Week(props: { week: WeekHours; raw: string | null | undefined; lang: string }) {
  const { week, lang } = props;
  return (
    <div class="hours" data-testid="service-hours">
      <p class={week.open_now ? 'hours-now open' : 'hours-now'} data-testid="hours-now">
        {formatNow(week, t, lang)}
      </p>
      <table class="week">
        <caption class="sr-only">{t('hours.week')}</caption>
        <tbody>
          {weekRows(week, t, lang).map((r) => (
            <tr key={r.date} class={[r.today && 'today', r.closed && 'closed'].filter(Boolean).join(' ')}>
              <th scope="row" title={weekdayName(r.date, lang, 'long')}>
                {r.today ? t('hours.today') : r.day}
              </th>
              <td>{r.hours}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.raw && <p class="hint as-written">{t('hours.as_written', { hours: props.raw })}</p>}
    </div>
  );
}

function Fact(props: { label: string; value: string | null | undefined; link?: string }) {
  if (!props.value) return null;
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.link ? <a href={props.link}>{props.value}</a> : props.value}</dd>
    </>
  );
}

function Correction(props: { service: Service; fields: string[]; onDone: () => void; onCancel: () => void }) {
  const [field, setField] = useState(props.fields[0] ?? '');
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      await api.suggestCorrection({ service_id: props.service.id, field, value: value.trim() || null, note: note.trim() });
      setSent(true);
      setError(null);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  if (sent)
    return (
      <div class="notice" role="status">
        <p>{t('correction.sent')}</p>
        <button type="button" onClick={props.onDone}>
          {t('common.close')}
        </button>
      </div>
    );

  return (
    <form class="card" onSubmit={submit}>
      <h3>{t('service.suggest_correction')}</h3>
      <div class="field">
        <label for="corr-field">{t('correction.field')}</label>
        <select id="corr-field" data-testid="correction-field" value={field} onChange={(e) => setField(e.currentTarget.value)}>
          {props.fields.map((f) => (
            <option key={f} value={f}>
              {t(`field.${f}`, { defaultValue: f })}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="corr-value">{t('correction.value')}</label>
        <input id="corr-value" data-testid="correction-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <p class="hint">{t('correction.value_hint')}</p>
      </div>
      <div class="field">
        <label for="corr-note">{t('correction.note')}</label>
        <textarea id="corr-note" data-testid="correction-note" rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      <ErrorLine text={error} />
      <div class="actions">
        <button type="submit" class="primary" data-testid="correction-submit" disabled={busy}>
          {t('correction.send')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
