//! `POST /api/v1/sync`: one round of push and pull. The device's operations are stored in
//! one transaction (idempotent on `(device_id, idx)`), each applied or refused on its own
//! (`njia_server_database::merge`), its corrections kept or refused one by one, and a page
//! of the change feed after its cursor returned — once the cursor is known to stand on this
//! server's history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use njia_model::ops::{OpKind, Operation};
use njia_model::outreach::SessionInput;
use njia_model::records::{check_operation, check_stamp};
use njia_model::wire::{SyncRequest, SyncResponse, PROTOCOL};
use njia_server_database::{Database, DeviceRecord};
use serde_json::Value;

use crate::auth::{revoked, AnyDevice};
use crate::error::HttpError;
use crate::handlers::ApiJson;
use crate::AppState;

#[utoipa::path(post, path = "/api/v1/sync", tag = "sync",
    request_body(content = Object, description = "SyncRequest: {ops, cursor, corrections, max_bytes?, patches?}; zstd Content-Encoding accepted"),
    responses(
        (status = 200, description = "SyncResponse: {acked_idx, corrections_acked, changes: {services, patches, removed, ops}, cursor, more, remaining, server_time}", body = Object),
        (status = 401, description = "No, unknown or revoked token (code `revoked`)", body = Object),
        (status = 409, description = "Operations do not continue the stored log (code `gap`, with acked_idx); the device's log differs from the one held (code `diverged`: fork); the cursor is not on this server's history (code `history_unknown`: read the feed again from 0)", body = Object),
        (status = 413, description = "Body too large", body = Object),
        (status = 422, description = "Malformed request or operation", body = Object)),
    security(("device_token" = [])))]
pub async fn sync<D: Database>(
    State(state): State<AppState<D>>,
    AnyDevice(device): AnyDevice,
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
    check_history(&state, req.cursor, req.cursor_tag.as_deref()).await?;
    let protocol = req.protocol();
    if protocol > PROTOCOL {
        return Err(HttpError::invalid(format!(
            "this device speaks sync protocol {protocol}; this server knows up to {PROTOCOL}: update njia-server"
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
        // A device of protocol 1 cannot read per-item refusals: for it, what can be told
        // without the stored records still fails the whole request, as it always did.
        if protocol < 2 {
            validate_op(op).map_err(|m| {
                HttpError::invalid(format!(
                    "ops[{i}] (idx {}): {m} (update the app: newer versions send the rest and show what was refused)",
                    op.idx
                ))
            })?;
        }
    }
    let now = Utc::now();
    check_quota(&state, &device, &req, now).await?;
    if let Some(at) = device.revoked_at {
        // Kept in quarantine (refused `revoked`, never applied), not lost: the office sees
        // them, and restoring the device releases them to be sent again.
        let mut err = revoked(at);
        if !req.ops.is_empty() {
            let held = state
                .db
                .push_ops_seen(&device, req.ops, now, req.cursor)
                .await?;
            err.body.acked_idx = Some(held.acked_idx);
        }
        return Err(err);
    }
    let pushed = if req.ops.is_empty() {
        njia_server_database::PushResult {
            acked_idx: device.acked_idx,
            refused: Vec::new(),
        }
    } else {
        // The cursor tells which operations of others the device had received: what its
        // operations replace without having seen it is a conflict, listed for the office.
        state
            .db
            .push_ops_seen(&device, req.ops, now, req.cursor)
            .await?
    };
    let corrections = if req.corrections.is_empty() {
        njia_server_database::CorrectionsResult::default()
    } else {
        state
            .db
            .add_corrections(&device, req.corrections, now)
            .await?
    };
    if protocol < 2 {
        if let Some(r) = corrections.refused.first() {
            return Err(HttpError::invalid(format!(
                "correction {}: {} (update the app: newer versions send the rest)",
                r.id, r.reason
            )));
        }
    }
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
    let cursor_tag = state.db.history_tag(page.cursor).await?;
    Ok(Json(SyncResponse {
        acked_idx: pushed.acked_idx,
        corrections_acked: corrections.acked,
        refused: pushed.refused,
        corrections_refused: corrections.refused,
        changes: page.changes,
        cursor: page.cursor,
        more: page.more,
        remaining: Some(page.remaining),
        cursor_tag,
        server_time: now,
    }))
}

/// Refuses a push that would take the device past what it may store in 24 hours (counting
/// only what the server does not hold yet: a resend after a lost answer is never refused
/// for the quota). A pull alone is never refused.
async fn check_quota<D: Database>(
    state: &AppState<D>,
    device: &DeviceRecord,
    req: &SyncRequest,
    now: chrono::DateTime<Utc>,
) -> Result<(), HttpError> {
    let new_ops: Vec<&Operation> = req
        .ops
        .iter()
        .filter(|op| op.idx > device.acked_idx)
        .collect();
    if new_ops.is_empty() && req.corrections.is_empty() {
        return Ok(());
    }
    let items = (new_ops.len() + req.corrections.len()) as i64;
    let bytes: usize = new_ops
        .iter()
        .map(|op| serde_json::to_string(&op.payload).map_or(0, |s| s.len()))
        .sum::<usize>()
        + req
            .corrections
            .iter()
            .map(|c| c.note.len() + c.value.as_ref().map_or(0, String::len))
            .sum::<usize>();
    let config = &state.config;
    let used = state
        .db
        .device_usage(device.id, now - chrono::Duration::hours(24))
        .await?;
    let over_items = used.items + items > config.quota_items_per_day;
    let over_bytes = used.bytes + bytes as i64 > config.quota_bytes_per_day;
    if !(over_items || over_bytes) {
        return Ok(());
    }
    tracing::warn!(device = %device.id, used_items = used.items, used_bytes = used.bytes,
        items, bytes, "push refused: the device's daily quota");
    Err(HttpError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "quota_exceeded",
        format!(
            "this device has stored {} item(s), {} KB, on the server in the last 24 hours, and this push would take it past the office's limit of {} items and {} KB a day; nothing of it was stored. Ask the field office to check this device (njia-server serve --quota-items-per-day / --quota-bytes-per-day)",
            used.items,
            used.bytes / 1024,
            config.quota_items_per_day,
            config.quota_bytes_per_day / 1024
        ),
    )
    .retry_after(std::time::Duration::from_secs(3600)))
}

/// Refuses a cursor that does not stand on this server's history: past its head, or on a
/// stretch whose tag is not the one the device was given (the server was restored from a
/// copy and handed those change numbers out again). The device then reads the feed again
/// from 0 and resends what the server lost. A cursor without a tag (a device of protocol 1,
/// or one that has not received a tag yet) is checked against the head only.
async fn check_history<D: Database>(
    state: &AppState<D>,
    cursor: i64,
    tag: Option<&str>,
) -> Result<(), HttpError> {
    if cursor == 0 {
        return Ok(());
    }
    let unknown = |why: String| {
        HttpError::new(
            StatusCode::CONFLICT,
            "history_unknown",
            format!("{why}: this server's history is not the one the device read (it was restored from a copy, or it is another server); read the directory again from the start and resend what the server no longer has"),
        )
    };
    let head = state.db.head().await?;
    if cursor > head {
        return Err(unknown(format!(
            "the device has read change {cursor}, and this server has handed out only {head}"
        )));
    }
    if let Some(tag) = tag {
        if let Some(held) = state.db.history_tag(cursor).await? {
            if held != tag {
                return Err(unknown(format!(
                    "change {cursor} is another change on this server than on the device"
                )));
            }
        }
    }
    Ok(())
}

/// What a device of protocol 1 is refused whole for: an operation whose shape or clock is
/// wrong, or whose create does not make a valid session (`njia_model::records`; newer
/// devices get the same rules item by item, with the merged result checked too).
pub fn validate_op(op: &Operation) -> Result<(), String> {
    check_stamp(op, Utc::now())?;
    check_operation(op)?;
    if op.kind == OpKind::SessionCreate {
        SessionInput::from_value(Value::Object(op.payload.clone()))
            .and_then(|input| input.validate(Utc::now()))
            .map_err(|e| e.message)?;
    }
    Ok(())
}
