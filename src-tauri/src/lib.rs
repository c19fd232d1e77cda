//! The Njia app: a thin Tauri 2 shell. Every command is a few lines over `njia-store` and
//! `njia-sync`; the rules of the directory, the outreach records and the sync live there,
//! where the CLI and the tests reach them too.

mod background;
pub mod bindings;
mod commands;
mod error;
mod state;
mod store_location;
mod webview;

use std::path::PathBuf;

use tauri::Manager;

pub use error::AppError;
use state::AppState;

/// Where the store is: `NJIA_DB` if set (the demo and the tests point it at a store the CLI
/// enrolled), else `njia.db` in the platform's data directory for the app, where a store
/// left under the app's first identifier is moved first (see [`store_location`]).
fn db_path(app: &tauri::App) -> PathBuf {
    if let Some(p) = std::env::var_os("NJIA_DB") {
        return PathBuf::from(p);
    }
    let dir = app
        .path()
        .app_data_dir()
        .unwrap_or_else(|_| PathBuf::from("."));
    if let Some(legacy) = store_location::legacy_dir(&dir) {
        match store_location::adopt_legacy_store(&legacy, &dir) {
            Ok(true) => tracing::info!("moved the store from {}", legacy.display()),
            Ok(false) => {}
            // The store is used where it is: a CHW must not meet an empty app because a
            // folder could not be written.
            Err(e) => {
                tracing::error!("could not move the store from {}: {e}", legacy.display());
                return legacy.join(store_location::DB_FILE);
            }
        }
    }
    dir.join(store_location::DB_FILE)
}

/// `NJIA_WINDOW_SIZE=360x640` opens the window at that size: a phone's screen on a desktop,
/// for checking the layout and for the screenshots of `scripts/screenshots`.
fn window_size() -> Option<(f64, f64)> {
    let v = std::env::var("NJIA_WINDOW_SIZE").ok()?;
    let (w, h) = v.split_once('x')?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

/// Builds and runs the app until its window closes.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let path = db_path(app);
            app.manage(AppState::new(path));
            if let Some(window) = app.get_webview_window("main") {
                webview::tune(&window)?;
                if let Some((w, h)) = window_size() {
                    window.set_size(tauri::LogicalSize::new(w, h))?;
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::session::unlock,
            commands::session::lock,
            commands::session::still_here,
            commands::session::set_auto_lock,
            commands::directory::near,
            commands::directory::search,
            commands::directory::places,
            commands::directory::service,
            commands::directory::service_hours,
            commands::directory::suggest_correction,
            commands::directory::directory_info,
            commands::outreach::save_session,
            commands::outreach::edit_session,
            commands::outreach::void_session,
            commands::outreach::session,
            commands::outreach::sessions,
            commands::outreach::referrals,
            commands::outreach::update_referral,
            commands::sync::enroll,
            commands::sync::sync_status,
            commands::sync::sync_now,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("njia-app: {e}");
        std::process::exit(1);
    }
}
