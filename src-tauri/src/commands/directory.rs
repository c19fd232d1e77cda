//! Finding services: near a point with filters, by text, one service whole, the places the
//! directory names, and suggesting a correction to the office.

use chrono::{DateTime, FixedOffset, Local};
use njia_model::geo::Point;
use njia_model::service::Service;
use njia_store::directory::ServiceHit;
use njia_store::hours::WeekHours;
use njia_store::near::{Filter, NearQuery};
use njia_store::places::Place;
use njia_store::search::SearchQuery;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, Result};
use crate::state::AppState;

/// Most results a list shows.
const MAX_LIMIT: usize = 200;

/// A near-me search as the filter chips set it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NearArgs {
    pub lat: f64,
    pub lon: f64,
    /// Only within this distance; none: the nearest, however far.
    pub radius_km: Option<f64>,
    pub limit: u32,
    pub categories: Vec<String>,
    pub languages: Vec<String>,
    pub free: bool,
    pub no_documents: bool,
    pub interpreter: bool,
    /// Only services open now (in their own time zone).
    pub open_now: bool,
}

/// A text search, ranked by distance when a point is known.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SearchArgs {
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub limit: u32,
}

/// A suggested correction of one field of a service.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CorrectionArgs {
    pub service_id: String,
    pub field: String,
    /// None: the field should be empty (a phone number that no longer exists).
    pub value: Option<String>,
    pub note: String,
}

/// What the about screen says of the directory.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DirectoryInfo {
    #[ts(type = "number")]
    pub services: u64,
    /// Sources to credit (`healthsites.io`): their licences ask for it.
    pub sources: Vec<String>,
    /// Fields a correction can be about.
    pub correction_fields: Vec<String>,
}

fn point(lat: f64, lon: f64) -> Result<Point> {
    Point::new(lat, lon).map_err(|e| AppError::Invalid {
        message: e.to_string(),
    })
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

fn limit(n: u32) -> usize {
    (n as usize).clamp(1, MAX_LIMIT)
}

#[tauri::command]
pub async fn near(state: State<'_, AppState>, args: NearArgs) -> Result<Vec<ServiceHit>> {
    let mut q = NearQuery::new(point(args.lat, args.lon)?);
    q.radius_m = args.radius_km.map(|km| km * 1000.0);
    q.limit = limit(args.limit);
    q.filter = Filter {
        categories: args.categories,
        languages: args.languages,
        free: args.free,
        no_documents: args.no_documents,
        interpreter: args.interpreter,
        open_at: args.open_now.then(now),
    };
    state
        .with_store(|s| {
            let mut hits = s.near(&q)?;
            s.mark_open_at(&mut hits, now())?;
            Ok(hits)
        })
        .await
}

/// Places named in the directory's addresses for the place box, best first.
#[tauri::command]
pub async fn places(state: State<'_, AppState>, query: String, limit: u32) -> Result<Vec<Place>> {
    let limit = self::limit(limit);
    state.with_store(|s| Ok(s.places(&query, limit)?)).await
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, args: SearchArgs) -> Result<Vec<ServiceHit>> {
    let near = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(point(lat, lon)?),
        _ => None,
    };
    let q = SearchQuery {
        text: args.text,
        near,
        limit: limit(args.limit),
    };
    state
        .with_store(|s| {
            let mut hits = s.search(&q)?;
            s.mark_open_at(&mut hits, now())?;
            Ok(hits)
        })
        .await
}

#[tauri::command]
pub async fn service(state: State<'_, AppState>, id: String) -> Result<Service> {
    state
        .with_store(|s| {
            s.service(&id)?.ok_or_else(|| AppError::NotFound {
                message: format!("no service with id {id} in this device's directory"),
            })
        })
        .await
}

/// The service's week ahead in its own local time, read from its OpenStreetMap hours; `null`
/// when those are unknown or unreadable (the UI then shows them as written).
#[tauri::command]
pub async fn service_hours(state: State<'_, AppState>, id: String) -> Result<Option<WeekHours>> {
    state.with_store(|s| Ok(s.service_hours(&id, now())?)).await
}

/// Files a correction; it goes to the office with the next sync.
#[tauri::command]
pub async fn suggest_correction(state: State<'_, AppState>, args: CorrectionArgs) -> Result<()> {
    state
        .with_store(|s| {
            s.add_correction(
                &args.service_id,
                &args.field,
                args.value.as_deref(),
                &args.note,
            )?;
            Ok(())
        })
        .await
}

#[tauri::command]
pub async fn directory_info(state: State<'_, AppState>) -> Result<DirectoryInfo> {
    state
        .with_store(|s| {
            Ok(DirectoryInfo {
                services: s.service_count()?,
                sources: s.directory_sources()?,
                correction_fields: njia_store::corrections::CORRECTION_FIELDS
                    .iter()
                    .map(|f| (*f).to_string())
                    .collect(),
            })
        })
        .await
}
