import { render } from 'preact';
import { act } from 'preact/test-utils';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initI18n } from '../i18n';

const enroll = vi.fn();
vi.mock('../api', () => ({ api: { enroll: (...args: unknown[]) => enroll(...args) } }));

import { Enrol } from './Enrol';

beforeAll(() => initI18n('en'));

function type(el: HTMLInputElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('the enrol form', () => {
  it('sends the certificate fingerprint the office gave, and none when left blank', async () => {
    enroll.mockResolvedValue({ enrolled: true });
    const root = document.createElement('div');
    document.body.appendChild(root);
    const done = vi.fn();
    await act(() => render(<Enrol onDone={done} onSkip={() => {}} />, root));
    const field = (id: string) => root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
    expect(root.querySelector('label[for="enrol-pin"]')?.textContent).toContain('Certificate fingerprint');
    await act(() => {
      type(field('enrol-server'), 'https://192.168.1.5:8443');
      type(field('enrol-code'), 'K7QM-3XPA-9D');
      type(field('enrol-pin'), ' 40:77:88 ');
    });
    await act(async () => {
      field('enrol-submit').click();
    });
    expect(enroll).toHaveBeenLastCalledWith('https://192.168.1.5:8443', 'K7QM-3XPA-9D', '40:77:88');
    await act(() => type(field('enrol-pin'), '  '));
    await act(async () => {
      field('enrol-submit').click();
    });
    expect(enroll).toHaveBeenLastCalledWith('https://192.168.1.5:8443', 'K7QM-3XPA-9D', null);
    expect(done).toHaveBeenCalledTimes(2);
  });
});
