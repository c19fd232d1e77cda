// The commands of src-tauri, typed with the generated bindings. Nothing here decides
// anything: each function is one `invoke`.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppInfo,
  CorrectionArgs,
  DirectoryInfo,
  NearArgs,
  Place,
  Referral,
  ReferralChange,
  ReferralQuery,
  SearchArgs,
  Service,
  ServiceHit,
  Session,
  SessionInput,
  SessionStatus,
  SyncActivity,
  SyncView,
  Unlocked,
  WeekHours,
} from './bindings';

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  unlock: (passphrase: string) => invoke<Unlocked>('unlock', { passphrase }),
  lock: () => invoke<void>('lock'),
  stillHere: () => invoke<void>('still_here'),
  setAutoLock: (minutes: number) => invoke<number>('set_auto_lock', { minutes }),
  near: (args: NearArgs) => invoke<ServiceHit[]>('near', { args }),
  search: (args: SearchArgs) => invoke<ServiceHit[]>('search', { args }),
  places: (query: string, limit: number) => invoke<Place[]>('places', { query, limit }),
  service: (id: string) => invoke<Service>('service', { id }),
  serviceHours: (id: string) => invoke<WeekHours | null>('service_hours', { id }),
  suggestCorrection: (args: CorrectionArgs) => invoke<void>('suggest_correction', { args }),
  directoryInfo: () => invoke<DirectoryInfo>('directory_info'),
  saveSession: (input: SessionInput) => invoke<Session>('save_session', { input }),
  editSession: (id: string, input: SessionInput) => invoke<Session>('edit_session', { id, input }),
  voidSession: (id: string, reason: string) => invoke<Session>('void_session', { id, reason }),
  session: (id: string) => invoke<Session>('session', { id }),
  sessions: (status: SessionStatus | null = null) => invoke<Session[]>('sessions', { status }),
  referrals: (query: ReferralQuery) => invoke<Referral[]>('referrals', { query }),
  updateReferral: (id: string, change: ReferralChange) => invoke<Referral>('update_referral', { id, change }),
  enroll: (server: string, code: string, pin: string | null) => invoke<SyncView>('enroll', { server, code, pin }),
  syncStatus: () => invoke<SyncView>('sync_status'),
  syncNow: () => invoke<void>('sync_now'),
};

/** The app locked itself after idle time (the store is closed; unlock again). */
export function onLocked(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('locked', () => handler());
}

export function onSync(handler: (a: SyncActivity) => void): Promise<UnlistenFn> {
  return listen<SyncActivity>('sync', (e) => handler(e.payload));
}
