//! Outreach commands: log add|list|show|edit|void, refer list|update, status.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::{Local, NaiveDate};
use njia_model::outreach::{ReferralStatus, SessionInput, SessionStatus};
use njia_store::outreach::{ReferralFilter, ReferralUpdate};

use crate::args::{LogCommand, ReferCommand};
use crate::{output, unlock};

/// The text of `--file F`, or standard input for `-`.
fn read_input(file: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    if file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the session from standard input")?;
    } else {
        text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    }
    Ok(text)
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    what: &str,
    value: &str,
    choices: &str,
) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| anyhow::anyhow!("{what} \"{value}\" is not one of {choices}"))
}

fn parse_date(what: &str, value: &str) -> anyhow::Result<NaiveDate> {
    if value == "today" {
        return Ok(Local::now().date_naive());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .with_context(|| format!("{what} \"{value}\" is not a date like 2026-11-30"))
}

pub fn log(db: &Option<PathBuf>, cmd: LogCommand, json: bool) -> anyhow::Result<()> {
    match cmd {
        LogCommand::Add { file } => {
            let input = SessionInput::from_json(&read_input(&file)?)?;
            let mut store = unlock::open(db)?;
            let s = store
                .add_session(input)
                .context("the session was not saved")?;
            if json {
                output::json(&s)
            } else {
                println!("{}", s.id);
                Ok(())
            }
        }
        LogCommand::List { status } => {
            let status = status
                .map(|s| parse_enum::<SessionStatus>("status", &s, "draft, final, voided"))
                .transpose()?;
            let store = unlock::open(db)?;
            let sessions = store.sessions(status)?;
            if json {
                return output::json(&sessions);
            }
            if sessions.is_empty() {
                println!("No sessions recorded.");
            }
            for s in &sessions {
                println!(
                    "{}  {}  {:<8} {:<18} {:>5} reached  {} referrals  {}",
                    s.id,
                    s.started_at.format("%Y-%m-%d %H:%M"),
                    s.status.as_str(),
                    serde_json::to_value(s.activity)?
                        .as_str()
                        .unwrap_or_default(),
                    s.total_reached,
                    s.referrals.len(),
                    s.place.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        LogCommand::Show { id } => {
            let store = unlock::open(db)?;
            output::json(&store.session(&id)?)
        }
        LogCommand::Edit { id, file } => {
            let input = SessionInput::from_json(&read_input(&file)?)?;
            let mut store = unlock::open(db)?;
            let s = store
                .edit_session(&id, input)
                .context("the session was not changed")?;
            if json {
                output::json(&s)
            } else {
                println!("{} is now at version {}", s.id, s.version);
                Ok(())
            }
        }
        LogCommand::Void { id, reason } => {
            let mut store = unlock::open(db)?;
            let s = store
                .void_session(&id, &reason)
                .context("the session was not voided")?;
            if json {
                output::json(&s)
            } else {
                println!("{} voided: {}", s.id, s.void_reason.unwrap_or_default());
                Ok(())
            }
        }
    }
}

pub fn refer(db: &Option<PathBuf>, cmd: ReferCommand, json: bool) -> anyhow::Result<()> {
    const STATUSES: &str = "issued, completed, not_completed";
    match cmd {
        ReferCommand::List {
            status,
            due,
            session,
        } => {
            let filter = ReferralFilter {
                status: status
                    .map(|s| parse_enum("status", &s, STATUSES))
                    .transpose()?,
                due_by: due.map(|d| parse_date("--due", &d)).transpose()?,
                session_id: session,
            };
            let store = unlock::open(db)?;
            let referrals = store.referrals(&filter)?;
            if json {
                return output::json(&referrals);
            }
            if referrals.is_empty() {
                println!("No referrals.");
            }
            for r in &referrals {
                let service = r.service_name.as_deref().unwrap_or(&r.service_id);
                println!(
                    "{}  {:<13} {:<9} {:<14} {}  {}{}",
                    r.id,
                    r.status.as_str(),
                    serde_json::to_value(r.urgency)?
                        .as_str()
                        .unwrap_or_default(),
                    r.reason,
                    r.client_code.as_deref().unwrap_or("-"),
                    service,
                    r.follow_up_on
                        .map(|d| format!("  follow up {d}"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        ReferCommand::Update {
            id,
            status,
            follow_up_on,
        } => {
            let update = ReferralUpdate {
                status: status
                    .map(|s| parse_enum::<ReferralStatus>("status", &s, STATUSES))
                    .transpose()?,
                follow_up_on: match follow_up_on.as_deref() {
                    None => None,
                    Some("none") => Some(None),
                    Some(d) => Some(Some(parse_date("--follow-up-on", d)?)),
                },
            };
            if update.status.is_none() && update.follow_up_on.is_none() {
                bail!("nothing to update: give --status or --follow-up-on");
            }
            let mut store = unlock::open(db)?;
            let r = store
                .update_referral(&id, &update)
                .context("the referral was not changed")?;
            if json {
                output::json(&r)
            } else {
                println!("{} is {} (version {})", r.id, r.status.as_str(), r.version);
                Ok(())
            }
        }
    }
}

pub fn status(db: &Option<PathBuf>, json: bool) -> anyhow::Result<()> {
    let store = unlock::open(db)?;
    let log = store.op_log_status()?;
    let sync = store.sync_status()?;
    let (server, last_sync, last_error) = (sync.server, sync.last_sync, sync.last_error);
    let services = store.service_count()?;
    if json {
        return output::json(&serde_json::json!({
            "pending": log.pending,
            "last_sync": last_sync,
            "server": server,
            "last_error": last_error,
            "device_id": store.device_id(),
            "services": services,
            "operations": log.last_idx,
            "acknowledged": log.acked_idx,
            "pending_corrections": sync.pending_corrections,
            "last_attempt": sync.last_attempt,
            "refused": store.refused_items()?,
            "clock_offset_ms": sync.clock_offset_ms,
            "clock_warning": sync.clock_warning,
        }));
    }
    println!("Store        {}", store.path().display());
    println!("Device       {}", store.device_id());
    println!("Services     {services}");
    println!("Pending      {} operation(s) not yet synced", log.pending);
    if sync.pending_corrections > 0 {
        println!(
            "Corrections  {} not yet sent to the office",
            sync.pending_corrections
        );
    }
    println!(
        "Server       {}",
        server.as_deref().unwrap_or("not enrolled")
    );
    println!("Last sync    {}", last_sync.as_deref().unwrap_or("never"));
    if let Some(e) = last_error {
        println!("Last error   {}", output::clean(&e));
    }
    if let Some(w) = sync.clock_warning {
        println!("Clock        {w}");
    }
    for r in store.refused_items()? {
        println!(
            "Refused      {}",
            output::clean(&crate::sync::refused_line(&r))
        );
    }
    Ok(())
}
