// Enrol this device with the office's server and a one-time code.

import { useState } from 'preact/hooks';
import { api } from '../api';
import type { SyncView } from '../bindings';
import { errorMessage } from '../lib/errors';
import { t } from '../i18n';
import { ErrorLine } from './ui';

export function Enrol(props: { onDone: (v: SyncView) => void; onSkip: () => void; server?: string | null }) {
  const [server, setServer] = useState(props.server ?? '');
  const [code, setCode] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!server.trim() || !code.trim()) return setError(t('enrol.both_needed'));
    setBusy(true);
    try {
      props.onDone(await api.enroll(server.trim(), code.trim(), pin.trim() || null));
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="enrol-title">
      <h2 id="enrol-title">{t('enrol.title')}</h2>
      <p>{t('enrol.intro')}</p>
      <div class="field">
        <label for="enrol-server">{t('enrol.server')}</label>
        <input
          id="enrol-server"
          data-testid="enrol-server"
          type="url"
          inputMode="url"
          autocomplete="url"
          placeholder="https://njia.example.org"
          value={server}
          onInput={(e) => setServer(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="enrol-code">{t('enrol.code')}</label>
        <input id="enrol-code" data-testid="enrol-code" autocomplete="off" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="enrol-pin">{t('enrol.pin')}</label>
        <input
          id="enrol-pin"
          data-testid="enrol-pin"
          aria-describedby="enrol-pin-hint"
          autocomplete="off"
          spellcheck={false}
          placeholder="40:77:88:…"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
        />
        <p class="hint" id="enrol-pin-hint">{t('enrol.pin_hint')}</p>
      </div>
      <ErrorLine text={error} testid="enrol-error" />
      <div class="actions">
        <button type="submit" class="primary" data-testid="enrol-submit" disabled={busy}>
          {busy ? t('enrol.working') : t('enrol.submit')}
        </button>
        <button type="button" data-testid="enrol-skip" onClick={props.onSkip}>
          {t('enrol.later')}
        </button>
      </div>
    </form>
  );
}
