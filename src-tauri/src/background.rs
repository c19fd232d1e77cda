//! The background sync task: it syncs when the store is unlocked, whenever the UI asks ("Sync
//! now", the network coming back), and on a timer — every [`PERIOD`] after a complete sync,
//! sooner with backoff and jitter after a failure. It holds its own connection to the store,
//! so the UI never waits on the network; after each round the UI's connection is reloaded.
//!
//! The task never decides what "synced" means: it reports the engine's [`SyncReport`], whose
//! `complete` is true only when every operation was acknowledged and the feed read to its end.

use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use njia_store::{Store, StoreKey};
use njia_sync::{Backoff, SyncClient, SyncReport};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;
use ts_rs::TS;

use crate::error::AppError;
use crate::state::{open_capped, AppState, APP_PAGE_CACHE_KIB};

/// Time between syncs while all goes well.
pub const PERIOD: Duration = Duration::from_secs(15 * 60);
/// After a round that stopped with work left (the engine's request guard), go on soon.
const AGAIN: Duration = Duration::from_secs(5);

/// Event emitted with a [`SyncActivity`] as a round starts, moves and ends.
pub const EVENT: &str = "sync";

/// What the sync task is doing or last did, as the sync screen shows it.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct SyncActivity {
    /// A round is under way.
    pub running: bool,
    /// Running totals of the round under way, or the last round's.
    #[ts(type = "SyncReport | null")]
    pub report: Option<SyncReport>,
    /// Why the last round failed, with its kind for a message in the user's language.
    pub failure: Option<AppError>,
}

/// The running task: wake it, read what it is doing, stop it on lock.
pub struct SyncTask {
    wake: Arc<Notify>,
    activity: Arc<StdMutex<SyncActivity>>,
    handle: JoinHandle<()>,
}

impl SyncTask {
    /// Starts the task for the store at `db_path`; it syncs at once if the store is enrolled.
    pub fn spawn(app: AppHandle, db_path: PathBuf, key: Arc<StoreKey>) -> Self {
        let wake = Arc::new(Notify::new());
        let activity = Arc::new(StdMutex::new(SyncActivity::default()));
        let runner = Runner {
            app,
            db_path,
            key,
            activity: activity.clone(),
        };
        let handle = tauri::async_runtime::spawn(runner.run(wake.clone()));
        Self {
            wake,
            activity,
            handle,
        }
    }

    /// Asks for a round now (or right after the one under way).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn activity(&self) -> SyncActivity {
        lock(&self.activity).clone()
    }

    /// Stops the task (the store is being locked). A round cut here is safe: the engine
    /// writes one transaction per answer, and the next round resumes.
    pub fn stop(self) {
        self.handle.abort();
    }
}

fn lock(m: &StdMutex<SyncActivity>) -> std::sync::MutexGuard<'_, SyncActivity> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How a round ended, for the choice of the next wait.
enum Outcome {
    NotEnrolled,
    Complete,
    Incomplete,
    Failed { transient: bool },
}

struct Runner {
    app: AppHandle,
    db_path: PathBuf,
    /// The store's key, shared with the app's state; dropped with the task on lock.
    key: Arc<StoreKey>,
    activity: Arc<StdMutex<SyncActivity>>,
}

impl Runner {
    async fn run(self, wake: Arc<Notify>) {
        let client = match SyncClient::new() {
            Ok(c) => c,
            Err(e) => {
                self.finish(None, Some(e.into()));
                return;
            }
        };
        let mut store: Option<Store> = None;
        let mut failures = 0u32;
        loop {
            let wait = match self.round(&client, &mut store).await {
                Outcome::NotEnrolled => None,
                Outcome::Complete => {
                    failures = 0;
                    Some(PERIOD)
                }
                Outcome::Incomplete => Some(AGAIN),
                Outcome::Failed { transient } => {
                    failures = failures.saturating_add(1);
                    Some(if transient {
                        Backoff::TIMER.delay(failures - 1)
                    } else {
                        PERIOD
                    })
                }
            };
            match wait {
                Some(d) => {
                    tokio::select! {
                        () = wake.notified() => {}
                        () = tokio::time::sleep(d) => {}
                    }
                }
                None => wake.notified().await,
            }
        }
    }

    async fn round(&self, client: &SyncClient, store: &mut Option<Store>) -> Outcome {
        if store.is_none() {
            match open_capped(self.db_path.clone(), self.key.clone()).await {
                Ok(s) => *store = Some(s),
                Err(e) => {
                    self.finish(None, Some(e));
                    return Outcome::Failed { transient: false };
                }
            }
        }
        let Some(store) = store.as_mut() else {
            return Outcome::Failed { transient: false };
        };
        // Another connection (the UI's) may have enrolled since this one was opened.
        if let Err(e) = store.reload() {
            self.finish(None, Some(e.into()));
            return Outcome::Failed { transient: false };
        }
        match store.enrollment() {
            Ok(Some(_)) => {}
            Ok(None) => return Outcome::NotEnrolled,
            Err(e) => {
                self.finish(None, Some(e.into()));
                return Outcome::Failed { transient: false };
            }
        }
        {
            let mut a = lock(&self.activity);
            a.running = true;
            a.report = Some(SyncReport::default());
        }
        self.emit();
        // A round may bring a region's whole directory: let it keep its indexes in memory,
        // then give the memory back.
        if let Err(e) = store.set_page_cache_kib(njia_store::DEFAULT_PAGE_CACHE_KIB) {
            tracing::warn!("widening the page cache for a sync: {e}");
        }
        let result = client
            .sync(store, None, |r| {
                lock(&self.activity).report = Some(r.clone());
                self.emit();
            })
            .await;
        if let Err(e) = store.set_page_cache_kib(APP_PAGE_CACHE_KIB) {
            tracing::warn!("capping the page cache after a sync: {e}");
        }
        self.reload_ui_store().await;
        match result {
            Ok(report) => {
                let complete = report.complete;
                self.finish(Some(report), None);
                if complete {
                    Outcome::Complete
                } else {
                    Outcome::Incomplete
                }
            }
            Err(e) => {
                let transient = e.is_transient();
                self.finish(None, Some(e.into()));
                Outcome::Failed { transient }
            }
        }
    }

    /// Lets the UI's connection see what the sync wrote (device id, clock, languages).
    async fn reload_ui_store(&self) {
        let state = self.app.state::<AppState>();
        let mut guard = state.store.lock().await;
        if let Some(s) = guard.as_mut() {
            if let Err(e) = s.reload() {
                tracing::warn!("reloading the store after a sync: {e}");
            }
        }
    }

    fn finish(&self, report: Option<SyncReport>, failure: Option<AppError>) {
        {
            let mut a = lock(&self.activity);
            a.running = false;
            if report.is_some() {
                a.report = report;
            }
            a.failure = failure;
        }
        self.emit();
    }

    fn emit(&self) {
        let activity = lock(&self.activity).clone();
        if let Err(e) = self.app.emit(EVENT, activity) {
            tracing::warn!("emitting the sync event: {e}");
        }
    }
}
