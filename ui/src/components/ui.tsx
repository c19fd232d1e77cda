// Small shared pieces: chips, an error line, icons. No logic.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Chip(props: {
  pressed: boolean;
  onToggle: () => void;
  testid?: string;
  children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={props.pressed ? 'chip on' : 'chip'}
      aria-pressed={props.pressed}
      data-testid={props.testid}
      onClick={props.onToggle}
    >
      {props.pressed && <span aria-hidden="true">✓ </span>}
      {props.children}
    </button>
  );
}

export function ErrorLine(props: { text: string | null; testid?: string }) {
  if (!props.text) return null;
  return (
    <p class="error" role="alert" data-testid={props.testid}>
      {props.text}
    </p>
  );
}

const PATHS: Record<string, string> = {
  find: 'M10 2a8 8 0 0 1 6.3 12.9l5.4 5.4-1.4 1.4-5.4-5.4A8 8 0 1 1 10 2zm0 2a6 6 0 1 0 0 12 6 6 0 0 0 0-12z',
  record: 'M5 3h11l4 4v14H5zm2 2v14h11V8h-3V5zm2 6h7v2H9zm0 4h7v2H9z',
  sessions: 'M4 5h2v2H4zm4 0h12v2H8zM4 11h2v2H4zm4 0h12v2H8zm-4 6h2v2H4zm4 0h12v2H8z',
  referrals: 'M4 11h11.2l-4-4 1.4-1.4L19 12l-6.4 6.4-1.4-1.4 4-4H4z',
  sync: 'M12 4a8 8 0 0 1 7.7 6h-2.1A6 6 0 0 0 7.8 7.8L10 10H4V4l2.4 2.4A8 8 0 0 1 12 4zm-7.7 10h2.1a6 6 0 0 0 9.8 2.2L14 14h6v6l-2.4-2.4A8 8 0 0 1 4.3 14z',
  settings:
    'M11 2h2l.5 2.6 1.8.8 2.2-1.5 1.4 1.4-1.5 2.2.8 1.8L21 11v2l-2.8.5-.8 1.8 1.5 2.2-1.4 1.4-2.2-1.5-1.8.8L13 22h-2l-.5-2.8-1.8-.8-2.2 1.5-1.4-1.4 1.5-2.2-.8-1.8L3 13v-2l2.8-.5.8-1.8-1.5-2.2 1.4-1.4 2.2 1.5 1.8-.8zm1 6a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
  back: 'M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z',
  close: 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z',
  gps: 'M11 1h2v3.1A8 8 0 0 1 19.9 11H23v2h-3.1A8 8 0 0 1 13 19.9V23h-2v-3.1A8 8 0 0 1 4.1 13H1v-2h3.1A8 8 0 0 1 11 4.1zm1 5a6 6 0 1 0 0 12 6 6 0 0 0 0-12zm0 3a3 3 0 1 1 0 6 3 3 0 0 1 0-6z',
  phone: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
};

export function Icon(props: { name: keyof typeof PATHS | string; size?: number }) {
  const s = props.size ?? 24;
  return (
    <svg width={s} height={s} viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="icon">
      <path d={PATHS[props.name] ?? ''} fill="currentColor" />
    </svg>
  );
}

/** A ref that focuses its element once mounted (the `autofocus` attribute only works on page load). */
export function useAutoFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
