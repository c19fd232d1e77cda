// Unlock the encrypted store; on the first run, choose its passphrase (twice). The rule a new
// passphrase must meet is the store's (njia_store::passphrase): shown here, judged there.

import { useState } from 'preact/hooks';
import type { AppInfo } from '../bindings';
import { t } from '../i18n';
import { ErrorLine, useAutoFocus } from './ui';

export function Unlock(props: { info: AppInfo; idleLocked?: boolean; onUnlock: (passphrase: string) => Promise<string | null> }) {
  const first = props.info.first_run;
  const min = props.info.min_passphrase;
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focusRef = useAutoFocus<HTMLInputElement>();

  async function submit(e: Event) {
    e.preventDefault();
    if (first && pass !== confirm) return setError(t('unlock.mismatch'));
    if (!pass) return setError(t('unlock.empty'));
    setBusy(true);
    setError(await props.onUnlock(pass));
    setBusy(false);
  }

  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="unlock-title">
      <h2 id="unlock-title">{first ? t('unlock.title_first') : t('unlock.title')}</h2>
      <p>{first ? t('unlock.intro_first', { count: min }) : props.idleLocked ? t('unlock.idle_locked') : t('unlock.intro')}</p>
      {first && (
        <p class="hint" data-testid="passphrase-rule">
          {t('unlock.rule', { min })}
        </p>
      )}
      <div class="field">
        <label for="passphrase">{t('unlock.passphrase')}</label>
        <input
          id="passphrase"
          data-testid="passphrase"
          type="password"
          autocomplete={first ? 'new-password' : 'current-password'}
          ref={focusRef}
          value={pass}
          onInput={(e) => setPass(e.currentTarget.value)}
        />
      </div>
      {first && (
        <div class="field">
          <label for="passphrase-confirm">{t('unlock.confirm')}</label>
          <input
            id="passphrase-confirm"
            data-testid="passphrase-confirm"
            type="password"
            autocomplete="new-password"
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
          />
        </div>
      )}
      <ErrorLine text={error} testid="unlock-error" />
      <button type="submit" class="primary wide" data-testid="unlock" disabled={busy}>
        {busy ? t('unlock.opening') : first ? t('unlock.create') : t('unlock.unlock')}
      </button>
      {first && <p class="hint">{t('unlock.warning')}</p>}
    </form>
  );
}
