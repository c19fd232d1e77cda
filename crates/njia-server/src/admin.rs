//! The staff's commands: load the directory, enrol and revoke devices, see what arrived,
//! review corrections. They work on the storage directly, beside a running server.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::Utc;
use clap::Subcommand;
use njia_model::ops::{OpKind, Operation};
use njia_model::outreach::SessionInput;
use njia_model::printable::printable;
use njia_server::handlers::sync::validate_op;
use njia_server::report::{self, word, AGES, GROUPS, SEXES};
use njia_server_database::{CorrectionStatus, Database, RecordKind, OFFICE_DEVICE_ID};

use crate::workers::{EnrollArgs, WorkersCommand};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve(crate::serve::ServeArgs),
    /// Load directory data (same formats as `njia import`); every change goes to devices.
    Import { path: PathBuf },
    /// Issue a one-time enrolment code for a worker's device (`enroll revoke CODE` cancels
    /// one).
    Enroll(EnrollArgs),
    /// Workers: the people devices belong to, with ids (two of one name are two workers).
    Workers {
        #[command(subcommand)]
        command: WorkersCommand,
    },
    /// Enrolled devices.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Outreach the server holds.
    Outreach {
        #[command(subcommand)]
        command: OutreachCommand,
    },
    /// Values that lost to an edit made without seeing them (a CHW's offline edit against
    /// an office edit, two devices editing the same field).
    Conflicts {
        #[command(subcommand)]
        command: ConflictsCommand,
    },
    /// Corrections sent by CHWs.
    Corrections {
        #[command(subcommand)]
        command: CorrectionsCommand,
    },
    /// What devices sent and the server refused (a clock years ahead, a value no record may
    /// hold, a change of another team's record): kept for review, never applied.
    Quarantine {
        #[command(subcommand)]
        command: QuarantineCommand,
    },
    /// Reports on the outreach the server holds, for the field office's data officer. Only
    /// final sessions count (drafts and voided sessions are listed as not counted).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Write the directory out: GeoJSON or a FHIR R4 Bundle (to a file or stdout) or an
    /// HSDS 3.0 data package (a folder), for exchange with other directories and health
    /// information systems.
    Export {
        /// geojson, hsds or fhir.
        #[arg(long)]
        format: String,
        /// File (geojson, fhir; default stdout) or folder (hsds, required).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum DevicesCommand {
    List,
    /// Revoke a device: its next request is refused; what it still sends is kept in
    /// quarantine for review.
    Revoke {
        id: String,
    },
    /// Lift a revocation (a phone found again): what it sent while revoked is released and
    /// it sends it again at its next sync.
    Restore {
        id: String,
    },
}

#[derive(Subcommand)]
pub enum OutreachCommand {
    /// Every session, current state, with its referrals.
    List,
    /// Edit a session or referral at the office (a supervisor's fix): one more operation
    /// in the log, by the server's own device, merged with devices' edits by HLC, field by
    /// field; the record's devices receive it at their next sync.
    Edit {
        /// The session or referral id.
        id: String,
        /// FIELD=VALUE, repeatable; VALUE is JSON (`count=3`, `topics=["hiv"]`) or else
        /// taken as text (`notes=Moved to the clinic`).
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// People reached, by sex × age band × group (migrant/host), grouped by month, area,
    /// activity or team.
    Reached {
        /// First day, YYYY-MM-DD (the session's local date), included.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day, YYYY-MM-DD, included.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// month, area (admin area, else place name), activity or team; repeat or separate
        /// with commas to group by several (default month).
        #[arg(long, value_name = "KEY", value_delimiter = ',')]
        by: Vec<String>,
    },
    /// Referrals by service, with counts by status and by urgency.
    Referrals {
        /// First day, YYYY-MM-DD (the session's local date), included.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day, YYYY-MM-DD, included.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCommand {
    /// Every refused operation, newest first, with the device, the worker and why.
    List,
}

#[derive(Subcommand)]
pub enum ConflictsCommand {
    /// Every losing value, with the value kept, who wrote each and when.
    List,
}

#[derive(Subcommand)]
pub enum CorrectionsCommand {
    /// Corrections, pending first.
    List {
        /// pending, accepted or rejected.
        #[arg(long)]
        status: Option<String>,
    },
    /// Accept a correction: the directory changes and devices receive it.
    Accept { id: String },
    /// Reject a correction.
    Reject { id: String },
}

/// Pretty JSON on stdout; a closed pipe (`| head`) is an error to report, not a panic.
pub(crate) fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    out.flush().context("cannot write to standard output")?;
    Ok(())
}

pub(crate) fn parse_uuid(what: &str, id: &str) -> anyhow::Result<Uuid> {
    Uuid::parse_str(id.trim()).with_context(|| format!("\"{id}\" is not a {what} id"))
}

pub async fn run<D: Database>(db: &D, cmd: Command, json: bool) -> anyhow::Result<()> {
    match cmd {
        Command::Serve(_) => unreachable!("serve is dispatched by main"),
        Command::Import { path } => {
            let imported = njia_import::read_path(&path, &mut |_| {})
                .with_context(|| format!("nothing was imported from {}", path.display()))?;
            let summary = db
                .import_services(imported.services, Utc::now())
                .await
                .context("nothing was imported")?;
            if json {
                print_json(
                    &json!({"format": imported.format.as_str(), "inserted": summary.inserted,
                    "updated": summary.updated, "unchanged": summary.unchanged, "skipped": imported.skipped.len()}),
                )
            } else {
                println!(
                    "Imported from {}: {} new, {} updated, {} unchanged, {} skipped.",
                    path.display(),
                    summary.inserted,
                    summary.updated,
                    summary.unchanged,
                    imported.skipped.len()
                );
                // A count alone leaves a data officer guessing which rows and why.
                for s in imported.skipped.iter().take(10) {
                    println!("  {}: {}", s.location, s.reason);
                }
                if imported.skipped.len() > 10 {
                    println!("  … and {} more", imported.skipped.len() - 10);
                }
                Ok(())
            }
        }
        Command::Enroll(args) => crate::workers::enroll(db, args, json).await,
        Command::Workers { command } => crate::workers::workers(db, command, json).await,
        Command::Devices { command } => match command {
            DevicesCommand::List => {
                let devices = db.devices().await?;
                if json {
                    return print_json(&devices);
                }
                for d in devices {
                    println!(
                        "{}  {:<20} {:<12} {:<10} {}{}",
                        d.id,
                        printable(&d.worker),
                        printable(d.team.as_deref().unwrap_or("-")),
                        d.role.as_str(),
                        d.regions.join(","),
                        d.revoked_at
                            .map(|t| format!("  REVOKED {}", t.format("%Y-%m-%d")))
                            .unwrap_or_default()
                            + &d.forked_from
                                .map(|p| format!("  restored copy of {p}"))
                                .unwrap_or_default()
                    );
                }
                Ok(())
            }
            DevicesCommand::Restore { id } => {
                let id = parse_uuid("device", &id)?;
                let done = db.restore_device(id, Utc::now()).await?;
                if json {
                    print_json(
                        &json!({"id": id, "restored": done.was_revoked, "released": done.released}),
                    )
                } else {
                    if done.was_revoked {
                        println!(
                            "{id} restored; {} operation(s) it sent while revoked come again at its next sync",
                            done.released
                        );
                    } else {
                        println!("{id} was not revoked");
                    }
                    Ok(())
                }
            }
            DevicesCommand::Revoke { id } => {
                let id = parse_uuid("device", &id)?;
                let changed = db.revoke_device(id, Utc::now()).await?;
                if json {
                    print_json(&json!({"id": id, "revoked": true, "already": !changed}))
                } else {
                    println!(
                        "{id} {}",
                        if changed {
                            "revoked"
                        } else {
                            "was already revoked"
                        }
                    );
                    Ok(())
                }
            }
        },
        Command::Outreach {
            command: OutreachCommand::Edit { id, set },
        } => office_edit(db, &id, &set, json).await,
        Command::Conflicts {
            command: ConflictsCommand::List,
        } => list_conflicts(db, json).await,
        Command::Quarantine {
            command: QuarantineCommand::List,
        } => list_quarantine(db, json).await,
        Command::Outreach {
            command: OutreachCommand::List,
        } => {
            let sessions = sessions_with_referrals(db).await?;
            if json {
                return print_json(&sessions);
            }
            for s in &sessions {
                println!(
                    "{}  {}  v{}  {:<8} {}  {}",
                    s["id"].as_str().unwrap_or_default(),
                    s["worker"].as_str().unwrap_or_default(),
                    s["version"],
                    s["status"].as_str().unwrap_or_default(),
                    s["started_at"].as_str().unwrap_or_default(),
                    printable(s["place"].as_str().unwrap_or_default())
                );
            }
            Ok(())
        }
        Command::Export { format, out } => export(db, &format, out).await,
        Command::Report {
            command: ReportCommand::Reached { from, to, by },
        } => report_reached(db, from.as_deref(), to.as_deref(), &by, json).await,
        Command::Report {
            command: ReportCommand::Referrals { from, to },
        } => report_referrals(db, from.as_deref(), to.as_deref(), json).await,
        Command::Corrections { command } => match command {
            CorrectionsCommand::List { status } => {
                let status = match status.as_deref() {
                    None => None,
                    Some("pending") => Some(CorrectionStatus::Pending),
                    Some("accepted") => Some(CorrectionStatus::Accepted),
                    Some("rejected") => Some(CorrectionStatus::Rejected),
                    Some(s) => bail!("--status {s} is not pending, accepted or rejected"),
                };
                let list = db.corrections(status).await?;
                if json {
                    return print_json(&list);
                }
                for c in list {
                    println!(
                        "{}  {:?}{}  {} {} = {}  ({})",
                        c.correction.id,
                        c.status,
                        if c.stale { " STALE" } else { "" },
                        printable(&c.correction.service_id),
                        printable(&c.correction.field),
                        printable(c.correction.value.as_deref().unwrap_or("-")),
                        printable(&c.correction.note)
                    );
                }
                Ok(())
            }
            CorrectionsCommand::Accept { id } => decide(db, &id, true, json).await,
            CorrectionsCommand::Reject { id } => decide(db, &id, false, json).await,
        },
    }
}

async fn export<D: Database>(db: &D, format: &str, out: Option<PathBuf>) -> anyhow::Result<()> {
    let services: Vec<_> = db
        .services()
        .await?
        .into_iter()
        .map(|s| s.service)
        .collect();
    match (format, out) {
        ("geojson", None) => {
            njia_import::write_geojson(&services, std::io::stdout().lock())?;
        }
        ("geojson", Some(path)) => {
            let file = std::fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            njia_import::write_geojson(&services, std::io::BufWriter::new(file))?;
            eprintln!("Wrote {} services to {}.", services.len(), path.display());
        }
        ("hsds", Some(dir)) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            njia_import::write_hsds(&services, &dir)?;
            eprintln!(
                "Wrote {} services as an HSDS 3.0 data package in {}.",
                services.len(),
                dir.display()
            );
        }
        ("hsds", None) => {
            bail!("--format hsds writes a folder of CSV files: give it with --out DIR")
        }
        ("fhir", out) => {
            let bundle = njia_server::fhir::bundle(&services);
            match out {
                None => print_json(&bundle)?,
                Some(path) => {
                    let text = serde_json::to_string_pretty(&bundle)?;
                    std::fs::write(&path, format!("{text}\n"))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "Wrote {} services as a FHIR R4 Bundle to {}.",
                        services.len(),
                        path.display()
                    );
                }
            }
        }
        (other, _) => bail!("--format {other} is not geojson, hsds or fhir"),
    }
    Ok(())
}

/// Prints what a report left out: under the table, or on stderr beside JSON.
fn note_excluded(excluded: &report::Excluded, json: bool) {
    if let Some(note) = excluded.describe() {
        if json {
            eprintln!("{note}");
        } else {
            println!("\n{note}");
        }
    }
}

async fn report_reached<D: Database>(
    db: &D,
    from: Option<&str>,
    to: Option<&str>,
    by: &[String],
    json: bool,
) -> anyhow::Result<()> {
    let period = report::Period::parse(from, to)?;
    let keys = report::parse_keys(by)?;
    let records = db.outreach().await?;
    let (rows, excluded) = report::reached(&records, &period, &keys);
    if json {
        print_json(&rows.iter().map(|r| r.to_json()).collect::<Vec<_>>())?;
        note_excluded(&excluded, json);
        return Ok(());
    }
    let key_names: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    println!(
        "People reached by final sessions, {}, by {}",
        period.describe(),
        key_names.join(", ")
    );
    if rows.is_empty() {
        println!("No final sessions.");
        note_excluded(&excluded, json);
        return Ok(());
    }
    let mut header: Vec<String> = keys.iter().map(|k| k.as_str().to_uppercase()).collect();
    header.extend(["SEX", "GROUP"].map(String::from));
    header.extend(AGES.iter().map(word));
    header.extend(["TOTAL", "SESSIONS"].map(String::from));
    let numeric_from = keys.len() + 2;
    let mut lines = Vec::new();
    let mut add = |names: Vec<String>, sessions: u64, grid: &report::Grid| {
        for sex in SEXES {
            for group in GROUPS {
                let counts: Vec<i64> = AGES.iter().map(|age| grid.get(sex, *age, group)).collect();
                let sum: i64 = counts.iter().sum();
                if sum == 0 {
                    continue;
                }
                let mut line = names.clone();
                line.push(word(sex));
                line.push(word(group));
                line.extend(counts.iter().map(i64::to_string));
                line.push(sum.to_string());
                line.push(String::new());
                lines.push(line);
            }
        }
        let mut line = names;
        line.extend(["all".into(), "all".into()]);
        line.extend(
            AGES.iter()
                .map(|age| grid.sum_where(|_, a, _| a == *age).to_string()),
        );
        line.push(grid.total().to_string());
        line.push(sessions.to_string());
        lines.push(line);
    };
    for row in &rows {
        let names = row
            .keys
            .iter()
            .map(|(_, v)| v.clone().unwrap_or_else(|| "(none)".into()))
            .collect();
        add(names, row.sessions, &row.grid);
    }
    if rows.len() > 1 {
        let (sessions, grid) = report::total(&rows);
        add(vec!["ALL".to_string(); keys.len()], sessions, &grid);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    print!("{}", report::table(&header, &lines, numeric_from));
    note_excluded(&excluded, json);
    Ok(())
}

async fn report_referrals<D: Database>(
    db: &D,
    from: Option<&str>,
    to: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let period = report::Period::parse(from, to)?;
    let records = db.outreach().await?;
    let names: HashMap<String, String> = db
        .services()
        .await?
        .into_iter()
        .map(|s| (s.service.id, s.service.name))
        .collect();
    // Referrals without a session are dated by the operation that created them.
    let sessions: HashSet<String> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Session)
        .map(|r| r.id.to_string())
        .collect();
    let sessionless: HashSet<Uuid> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Referral)
        .filter(|r| {
            r.fields
                .get("session_id")
                .and_then(Value::as_str)
                .is_none_or(|s| !sessions.contains(s))
        })
        .map(|r| r.id)
        .collect();
    let mut created = HashMap::new();
    if !sessionless.is_empty() {
        for op in db.operations().await? {
            if op.op.kind == OpKind::ReferralCreate && sessionless.contains(&op.op.entity_id) {
                let day = chrono::DateTime::from_timestamp_millis(op.op.hlc.wall_ms as i64)
                    .unwrap_or(op.received_at)
                    .date_naive();
                created.entry(op.op.entity_id).or_insert(day);
            }
        }
    }
    let (rows, excluded) = report::referrals(&records, &period, &names, &created);
    if json {
        print_json(&rows.iter().map(|r| r.to_json()).collect::<Vec<_>>())?;
        note_excluded(&excluded, json);
        return Ok(());
    }
    println!("Referrals by service, {}", period.describe());
    if rows.is_empty() {
        println!("No referrals.");
        note_excluded(&excluded, json);
        return Ok(());
    }
    let mut header = vec!["SERVICE", "NAME", "REFERRALS"];
    let upper: Vec<String> = report::STATUSES
        .iter()
        .chain(report::URGENCIES.iter())
        .map(|s| s.to_uppercase())
        .collect();
    header.extend(upper.iter().map(String::as_str));
    let mut lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut line = vec![
                r.service_id.clone(),
                r.service_name
                    .clone()
                    .unwrap_or_else(|| "(not in the directory)".into()),
                r.referrals.to_string(),
            ];
            line.extend(r.by_status.iter().map(u64::to_string));
            line.extend(r.by_urgency.iter().map(u64::to_string));
            line
        })
        .collect();
    if rows.len() > 1 {
        let mut line = vec!["ALL".to_string(), String::new()];
        line.push(rows.iter().map(|r| r.referrals).sum::<u64>().to_string());
        for i in 0..3 {
            line.push(rows.iter().map(|r| r.by_status[i]).sum::<u64>().to_string());
        }
        for i in 0..3 {
            line.push(
                rows.iter()
                    .map(|r| r.by_urgency[i])
                    .sum::<u64>()
                    .to_string(),
            );
        }
        lines.push(line);
    }
    print!("{}", report::table(&header, &lines, 2));
    note_excluded(&excluded, json);
    Ok(())
}

async fn decide<D: Database>(db: &D, id: &str, accept: bool, json: bool) -> anyhow::Result<()> {
    let id = parse_uuid("correction", id)?;
    let c = db.decide_correction(id, accept, Utc::now()).await?;
    if json {
        print_json(&c)
    } else {
        println!("{} {:?}", c.correction.id, c.status);
        Ok(())
    }
}

/// Sessions as the contract shows them: id, device_id, version, status and the session
/// fields, with their referrals nested.
async fn sessions_with_referrals<D: Database>(db: &D) -> anyhow::Result<Vec<Value>> {
    let records = db.outreach().await?;
    let mut referrals: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Referral) {
        let mut v = Value::Object(r.fields.clone());
        v["id"] = json!(r.id);
        v["version"] = json!(r.version);
        let session = r
            .fields
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        referrals.entry(session).or_default().push(v);
    }
    let mut out = Vec::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Session) {
        let mut v = Value::Object(r.fields.clone());
        v["id"] = json!(r.id);
        v["device_id"] = json!(r.device_id);
        v["worker"] = json!(r.worker);
        v["team"] = json!(r.team);
        v["version"] = json!(r.version);
        v["updated_at"] = json!(r.updated_at);
        v["referrals"] = json!(referrals.remove(&r.id.to_string()).unwrap_or_default());
        out.push(v);
    }
    out.sort_by(|a, b| a["started_at"].as_str().cmp(&b["started_at"].as_str()));
    Ok(out)
}

/// `--set FIELD=VALUE` as a JSON object of fields.
fn parse_sets(sets: &[String]) -> anyhow::Result<serde_json::Map<String, Value>> {
    let mut fields = serde_json::Map::new();
    for set in sets {
        let Some((field, value)) = set.split_once('=') else {
            bail!("--set {set}: write it FIELD=VALUE");
        };
        let field = field.trim();
        if field.is_empty() {
            bail!("--set {set}: the field name is missing");
        }
        let value =
            serde_json::from_str(value.trim()).unwrap_or_else(|_| Value::String(value.to_string()));
        if fields.insert(field.to_string(), value).is_some() {
            bail!("--set {field}=… is given twice");
        }
    }
    Ok(fields)
}

async fn office_edit<D: Database>(
    db: &D,
    id: &str,
    sets: &[String],
    json: bool,
) -> anyhow::Result<()> {
    let id = parse_uuid("session or referral", id)?;
    let fields = parse_sets(sets)?;
    let record = db
        .outreach()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .with_context(|| format!("no session or referral with id {id}"))?;
    // The same checks as an edit a device pushes.
    let kind = match record.kind {
        RecordKind::Session => OpKind::SessionUpdate,
        RecordKind::Referral => OpKind::ReferralUpdate,
    };
    let probe = Operation {
        device_id: OFFICE_DEVICE_ID,
        idx: 1,
        op_id: Uuid::nil(),
        hlc: njia_model::hlc::Clock::new(OFFICE_DEVICE_ID).last(),
        kind,
        entity_id: id,
        payload: fields.clone(),
        seen: None,
    };
    if let Err(why) = validate_op(&probe) {
        bail!("nothing was changed: {why}");
    }
    // The session as it would be must pass the rules of a session file (types, counts,
    // times), or the phones receiving the edit could not read it. Status and void reason
    // are not part of a session file; the status was checked above.
    if record.kind == RecordKind::Session {
        let mut after = record.fields.clone();
        after.extend(fields.clone());
        after.remove("status");
        after.remove("void_reason");
        SessionInput::from_value(Value::Object(after))
            .and_then(|s| s.validate(Utc::now() + chrono::Duration::days(365)))
            .map_err(|e| anyhow::anyhow!("nothing was changed: {}", e.message))?;
    }
    let edit = db.office_edit(id, fields, Utc::now()).await?;
    if json {
        return print_json(&json!({"id": id, "version": edit.record.version,
            "op": edit.op, "fields": edit.record.fields}));
    }
    println!(
        "{id} is at version {} (office edit {} at {})",
        edit.record.version, edit.op.op_id, edit.op.hlc
    );
    Ok(())
}

async fn list_conflicts<D: Database>(db: &D, json: bool) -> anyhow::Result<()> {
    let conflicts = db.conflicts().await?;
    let workers: BTreeMap<Uuid, String> = db
        .devices()
        .await?
        .into_iter()
        .map(|d| (d.id, d.worker))
        .collect();
    let who = |device: &Uuid| workers.get(device).cloned().unwrap_or_default();
    if json {
        let list: Vec<Value> = conflicts
            .iter()
            .map(|c| {
                let mut v = json!(c);
                v["kept"]["worker"] = json!(who(&c.kept.device_id));
                v["lost"]["worker"] = json!(who(&c.lost.device_id));
                v
            })
            .collect();
        return print_json(&list);
    }
    if conflicts.is_empty() {
        println!("No conflicts.");
    }
    for c in &conflicts {
        println!(
            "{} {:?} of {}: {}: kept {} ({}, {}), lost {} ({}, {})",
            c.record_id,
            c.record_kind,
            printable(&c.worker),
            printable(&c.field),
            printable(&c.kept.value.to_string()),
            printable(&who(&c.kept.device_id)),
            c.kept.hlc,
            printable(&c.lost.value.to_string()),
            printable(&who(&c.lost.device_id)),
            c.lost.hlc
        );
    }
    Ok(())
}

/// `njia-server quarantine list`: refused operations, with who sent them and why.
async fn list_quarantine<D: Database>(db: &D, json: bool) -> anyhow::Result<()> {
    let workers: std::collections::HashMap<Uuid, String> = db
        .devices()
        .await?
        .into_iter()
        .map(|d| (d.id, d.worker))
        .collect();
    let mut rows: Vec<Value> = db
        .operations()
        .await?
        .into_iter()
        .filter_map(|o| {
            let r = o.refusal?;
            Some(json!({
                "device_id": o.op.device_id,
                "worker": workers.get(&o.op.device_id),
                "idx": o.op.idx,
                "op_id": o.op.op_id,
                "kind": o.op.kind.as_str(),
                "entity_id": o.op.entity_id,
                "hlc": o.op.hlc.to_string(),
                "code": r.code,
                "reason": r.reason,
                "received_at": o.received_at,
                "seq": o.seq,
            }))
        })
        .collect();
    rows.reverse();
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("Nothing refused.");
    }
    for r in &rows {
        println!(
            "{}  {}  {} idx {}  {}: {}",
            r["received_at"].as_str().unwrap_or_default(),
            printable(r["worker"].as_str().unwrap_or("?")),
            r["kind"].as_str().unwrap_or_default(),
            r["idx"],
            r["code"].as_str().unwrap_or_default(),
            printable(r["reason"].as_str().unwrap_or_default())
        );
    }
    Ok(())
}
