//! `POST /api/v1/sync`: one round of push and pull. The device's operations are stored and
//! applied in one transaction (idempotent on `(device_id, idx)`), its corrections kept, and a
//! page of the change feed after its cursor returned.

use axum::extract::State;
use axum::Json;
use chrono::{Duration, Utc};
use njia_model::ops::{OpKind, Operation};
use njia_model::outreach::{check_client_code, SessionInput};
use njia_model::taxonomy::parse_category;
use njia_model::wire::{SyncRequest, SyncResponse};
use njia_server_database::Database;
use serde_json::Value;

use crate::auth::DeviceAuth;
use crate::error::HttpError;
use crate::handlers::ApiJson;
use crate::AppState;

/// Fields an update of a session may set.
const SESSION_FIELDS: &[&str] = &[
    "started_at",
    "ended_at",
    "place",
    "lat",
    "lon",
    "accuracy_m",
    "admin_area",
    "activity",
    "topics",
    "reached",
    "materials",
    "notes",
    "status",
    "void_reason",
];
/// Fields a referral operation may set.
const REFERRAL_FIELDS: &[&str] = &[
    "session_id",
    "service_id",
    "reason",
    "urgency",
    "client_code",
    "follow_up_on",
    "status",
];

#[utoipa::path(post, path = "/api/v1/sync", tag = "sync",
    request_body(content = Object, description = "SyncRequest: {ops, cursor, corrections, max_bytes?, patches?}; zstd Content-Encoding accepted"),
    responses(
        (status = 200, description = "SyncResponse: {acked_idx, corrections_acked, changes: {services, patches, removed, ops}, cursor, more, remaining, server_time}", body = Object),
        (status = 401, description = "No, unknown or revoked token (code `revoked`)", body = Object),
        (status = 409, description = "Operations do not continue the stored log (code `gap`, with acked_idx)", body = Object),
        (status = 413, description = "Body too large", body = Object),
        (status = 422, description = "Malformed request or operation", body = Object)),
    security(("device_token" = [])))]
pub async fn sync<D: Database>(
    State(state): State<AppState<D>>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(req): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, HttpError> {
    if req.cursor < 0 {
        return Err(HttpError::invalid(format!(
            "cursor {} is negative",
            req.cursor
        )));
    }
    if req.ops.len() > state.config.max_ops_per_request {
        return Err(HttpError::invalid(format!(
            "{} operations in one request; send at most {}",
            req.ops.len(),
            state.config.max_ops_per_request
        )));
    }
    for (i, op) in req.ops.iter().enumerate() {
        if op.device_id != device.id {
            return Err(HttpError::invalid(format!(
                "ops[{i}] belongs to device {}, not to this device",
                op.device_id
            )));
        }
        if i > 0 && op.idx != req.ops[i - 1].idx + 1 {
            return Err(HttpError::invalid(format!(
                "ops[{i}] has idx {} after {}: operations must be consecutive",
                op.idx,
                req.ops[i - 1].idx
            )));
        }
        validate_op(op)
            .map_err(|m| HttpError::invalid(format!("ops[{i}] (idx {}): {m}", op.idx)))?;
    }
    for (i, c) in req.corrections.iter().enumerate() {
        if c.service_id.trim().is_empty() || c.field.trim().is_empty() {
            return Err(HttpError::invalid(format!(
                "corrections[{i}] needs a service_id and a field"
            )));
        }
        if c.note.chars().count() > 2_000
            || c.value.as_ref().is_some_and(|v| v.chars().count() > 4_000)
        {
            return Err(HttpError::invalid(format!("corrections[{i}] is too long")));
        }
    }
    let now = Utc::now();
    let acked_idx = if req.ops.is_empty() {
        device.acked_idx
    } else {
        // The cursor tells which operations of others the device had received: what its
        // operations replace without having seen it is a conflict, listed for the office.
        state
            .db
            .push_ops_seen(&device, req.ops, now, req.cursor)
            .await?
    };
    let corrections_acked = if req.corrections.is_empty() {
        Vec::new()
    } else {
        state
            .db
            .add_corrections(&device, req.corrections, now)
            .await?
    };
    let max_bytes = req
        .max_bytes
        .map(|b| b.clamp(1024, state.config.max_page_bytes as u64) as usize)
        .unwrap_or(state.config.max_page_bytes);
    let mut page = state
        .db
        .changes_since(&device, req.cursor, max_bytes, req.patches)
        .await?;
    // Neighbours side by side (same country, same 0.1° cell, same street) compress far
    // better; the device applies a page in one transaction, so order within it is free.
    page.changes.services.sort_by(|a, b| {
        let key = |s: &njia_model::wire::ServiceVersion| {
            (
                s.service.country.clone(),
                (s.service.lat * 10.0).floor() as i64,
                (s.service.lon * 10.0).floor() as i64,
                s.service.address.clone(),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.service.id.cmp(&b.service.id))
    });
    Ok(Json(SyncResponse {
        acked_idx,
        corrections_acked,
        changes: page.changes,
        cursor: page.cursor,
        more: page.more,
        remaining: Some(page.remaining),
        server_time: now,
    }))
}

/// Checks an operation's payload has the shape its kind allows. The device validated the
/// values already; this stops a broken or hostile client from storing garbage.
pub fn validate_op(op: &Operation) -> Result<(), String> {
    match op.kind {
        OpKind::SessionCreate => {
            let input = SessionInput::from_value(Value::Object(op.payload.clone()))
                .map_err(|e| e.message)?;
            // Phone clocks are often wrong: a start "in the future" is the device's word.
            input
                .validate(Utc::now() + Duration::days(365))
                .map(|_| ())
                .map_err(|e| e.message)
        }
        OpKind::SessionUpdate | OpKind::SessionVoid => {
            for (k, v) in &op.payload {
                if !SESSION_FIELDS.contains(&k.as_str()) {
                    return Err(format!("\"{k}\" is not a field of a session"));
                }
                if k == "status" && !matches!(v.as_str(), Some("draft" | "final" | "voided")) {
                    return Err(format!("status {v} is not draft, final or voided"));
                }
            }
            Ok(())
        }
        OpKind::ReferralCreate | OpKind::ReferralUpdate => {
            for (k, v) in &op.payload {
                if !REFERRAL_FIELDS.contains(&k.as_str()) {
                    return Err(format!("\"{k}\" is not a field of a referral"));
                }
                match (k.as_str(), v) {
                    ("reason", Value::String(r)) => {
                        parse_category(r)?;
                    }
                    ("client_code", Value::String(c)) => check_client_code(c)?,
                    ("status", s)
                        if !matches!(
                            s.as_str(),
                            Some("issued" | "completed" | "not_completed")
                        ) =>
                    {
                        return Err(format!(
                            "status {s} is not issued, completed or not_completed"
                        ))
                    }
                    ("urgency", u)
                        if !matches!(u.as_str(), Some("routine" | "urgent" | "emergency")) =>
                    {
                        return Err(format!("urgency {u} is not routine, urgent or emergency"))
                    }
                    _ => {}
                }
            }
            if op.kind == OpKind::ReferralCreate
                && !op.payload.get("service_id").is_some_and(Value::is_string)
            {
                return Err("a new referral needs a service_id".into());
            }
            Ok(())
        }
    }
}
