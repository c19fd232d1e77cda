//! The staff's commands for people: workers (`njia-server workers list|add|edit`) and their
//! enrolment codes (`njia-server enroll`, `njia-server enroll revoke CODE`). Workers are
//! records with ids (`njia_server_database::workers`): an enrolment by name finds the one
//! worker of that name in that team, or makes them.

use anyhow::{bail, Context};
use chrono::Utc;
use clap::{Args, Subcommand};
use njia_model::printable::printable;
use njia_model::wire::Role;
use njia_server::auth::{hash, new_code, normalize_code};
use njia_server_database::workers::clean_name;
use njia_server_database::{
    Database, DbError, DeviceRecord, NewEnrollment, NewWorker, WorkerChoice, WorkerEdit,
    WorkerRecord, OFFICE_WORKER_ID,
};
use serde_json::json;
use uuid::Uuid;

use crate::admin::{parse_uuid, print_json};

/// How long an enrolment code can be redeemed.
const CODE_VALID_HOURS: i64 = 72;

/// `njia-server enroll`: issue a code (the flags), or cancel one (`enroll revoke CODE`).
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EnrollArgs {
    #[command(subcommand)]
    pub command: Option<EnrollCommand>,
    /// The worker's name: the code is for the one worker of this name in --team, a new
    /// worker when there is none.
    #[arg(
        long,
        required_unless_present = "worker_id",
        conflicts_with = "worker_id"
    )]
    pub worker: Option<String>,
    /// The worker exactly, by id (`njia-server workers list`): for two workers of one name.
    #[arg(long, value_name = "ID")]
    pub worker_id: Option<String>,
    #[arg(long, conflicts_with = "worker_id")]
    pub team: Option<String>,
    /// ISO 3166 country codes whose directory the device receives, comma-separated
    /// (default: the worker's).
    #[arg(long, value_delimiter = ',')]
    pub region: Vec<String>,
    /// worker or supervisor (default: the worker's).
    #[arg(long)]
    pub role: Option<String>,
}

#[derive(Subcommand)]
pub enum EnrollCommand {
    /// Cancel a code not yet used (given to the wrong person, lost, written down).
    Revoke { code: String },
}

#[derive(Subcommand)]
pub enum WorkersCommand {
    /// Every worker, with their id and how many devices they have.
    List,
    /// Add a worker (also made by `enroll --worker` when the name is new in that team).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        team: Option<String>,
        #[arg(long, default_value = "worker")]
        role: String,
        #[arg(long, value_delimiter = ',')]
        region: Vec<String>,
    },
    /// Change a worker's name, team, role or regions. A new name shows everywhere at once;
    /// team, role and regions reach a device when it is enrolled again.
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// The new team; an empty value takes the worker out of every team.
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// The new regions, comma-separated; an empty value: every region.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        region: Option<Vec<String>>,
    },
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    match role.trim() {
        "worker" => Ok(Role::Worker),
        "supervisor" => Ok(Role::Supervisor),
        other => bail!("--role {other} is not worker or supervisor"),
    }
}

fn parse_regions(region: &[String]) -> anyhow::Result<Vec<String>> {
    let mut regions = Vec::new();
    for r in region
        .iter()
        .map(|r| r.trim().to_uppercase())
        .filter(|r| !r.is_empty())
    {
        if r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()) {
            bail!("--region {r} is not an ISO 3166 two-letter country code");
        }
        if !regions.contains(&r) {
            regions.push(r);
        }
    }
    Ok(regions)
}

fn parse_team(team: Option<&str>) -> anyhow::Result<Option<String>> {
    match team.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Ok(Some(clean_name("team", t)?)),
    }
}

/// How many devices of the worker are not revoked.
fn active_devices(devices: &[DeviceRecord], worker: Uuid) -> usize {
    devices
        .iter()
        .filter(|d| d.worker_id == worker && d.revoked_at.is_none())
        .count()
}

/// Regions as staff read them: `all` for none.
fn regions_text(regions: &[String]) -> String {
    if regions.is_empty() {
        "all".to_string()
    } else {
        regions.join(",")
    }
}

fn worker_json(w: &WorkerRecord, devices: usize) -> serde_json::Value {
    json!({"id": w.id, "name": w.name, "team": w.team, "role": w.role, "regions": w.regions,
           "devices": devices, "created_at": w.created_at, "updated_at": w.updated_at})
}

pub async fn enroll<D: Database>(db: &D, args: EnrollArgs, json: bool) -> anyhow::Result<()> {
    if let Some(EnrollCommand::Revoke { code }) = args.command {
        let cancelled = match db
            .revoke_enrollment(&hash(&normalize_code(&code)), Utc::now())
            .await
        {
            Err(DbError::CodeUnknown) => {
                bail!("no enrolment code {code} was issued by this server")
            }
            other => other?,
        };
        if json {
            return print_json(&json!({"code": code, "revoked": cancelled}));
        }
        if cancelled {
            println!("Code {code} is cancelled: no device can enrol with it.");
        } else {
            println!("Code {code} was already used: revoke the device it enrolled instead (njia-server devices list).");
        }
        return Ok(());
    }
    let now = Utc::now();
    let role = args.role.as_deref().map(parse_role).transpose()?;
    let regions = if args.region.is_empty() {
        None
    } else {
        Some(parse_regions(&args.region)?)
    };
    let choice = match (args.worker_id, args.worker) {
        (Some(id), _) => WorkerChoice::Id(parse_uuid("worker", &id)?),
        (None, Some(name)) => WorkerChoice::Named(NewWorker::new(
            clean_name("worker's name", &name)?,
            parse_team(args.team.as_deref())?,
            role.unwrap_or(Role::Worker),
            regions.clone().unwrap_or_default(),
            now,
        )),
        (None, None) => bail!("give --worker NAME (with --team) or --worker-id ID"),
    };
    let worker = db
        .choose_worker(choice)
        .await
        .context("no code was issued")?;
    let role = role.unwrap_or(worker.role);
    let regions = regions.unwrap_or_else(|| worker.regions.clone());
    let code = new_code();
    let expires_at = now + chrono::Duration::hours(CODE_VALID_HOURS);
    db.create_enrollment(NewEnrollment {
        code_hash: hash(&normalize_code(&code)),
        worker_id: worker.id,
        role,
        regions: regions.clone(),
        created_at: now,
        expires_at,
    })
    .await
    .context("no code was issued")?;
    if json {
        print_json(
            &json!({"code": code, "expires_at": expires_at, "worker": worker.name,
            "worker_id": worker.id, "team": worker.team, "role": role, "regions": regions}),
        )
    } else {
        println!(
            "Enrolment code for {}{} (worker {}): {code} (valid once, until {})",
            printable(&worker.name),
            worker
                .team
                .as_deref()
                .map(|t| format!(" of team {}", printable(t)))
                .unwrap_or_default(),
            worker.id,
            expires_at.format("%Y-%m-%d %H:%M UTC")
        );
        Ok(())
    }
}

pub async fn workers<D: Database>(db: &D, cmd: WorkersCommand, json: bool) -> anyhow::Result<()> {
    match cmd {
        WorkersCommand::List => {
            let devices = db.devices().await?;
            let count = |id: Uuid| active_devices(&devices, id);
            let workers: Vec<WorkerRecord> = db
                .workers()
                .await?
                .into_iter()
                .filter(|w| w.id != OFFICE_WORKER_ID)
                .collect();
            if json {
                let list: Vec<_> = workers
                    .iter()
                    .map(|w| worker_json(w, count(w.id)))
                    .collect();
                return print_json(&list);
            }
            for w in &workers {
                println!(
                    "{}  {:<24} {:<14} {:<10} {:<8} {} device(s)",
                    w.id,
                    printable(&w.name),
                    printable(w.team.as_deref().unwrap_or("-")),
                    w.role.as_str(),
                    regions_text(&w.regions),
                    count(w.id)
                );
            }
            Ok(())
        }
        WorkersCommand::Add {
            name,
            team,
            role,
            region,
        } => {
            let w = db
                .add_worker(NewWorker::new(
                    clean_name("worker's name", &name)?,
                    parse_team(team.as_deref())?,
                    parse_role(&role)?,
                    parse_regions(&region)?,
                    Utc::now(),
                ))
                .await?;
            if json {
                print_json(&worker_json(&w, 0))
            } else {
                println!("Added worker {} ({})", printable(&w.name), w.id);
                Ok(())
            }
        }
        WorkersCommand::Edit {
            id,
            name,
            team,
            role,
            region,
        } => {
            let id = parse_uuid("worker", &id)?;
            if id == OFFICE_WORKER_ID {
                bail!("the office's own worker cannot be edited");
            }
            let edit = WorkerEdit {
                name: name.map(|n| clean_name("worker's name", &n)).transpose()?,
                team: team.map(|t| parse_team(Some(&t))).transpose()?,
                role: role.as_deref().map(parse_role).transpose()?,
                regions: region.map(|r| parse_regions(&r)).transpose()?,
            };
            if edit.is_empty() {
                bail!("nothing to change: give --name, --team, --role or --region");
            }
            let w = db.edit_worker(id, edit, Utc::now()).await?;
            if json {
                let n = active_devices(&db.devices().await?, w.id);
                print_json(&worker_json(&w, n))
            } else {
                println!(
                    "Worker {} is now {} of team {}, {}, regions {}",
                    w.id,
                    printable(&w.name),
                    printable(w.team.as_deref().unwrap_or("-")),
                    w.role.as_str(),
                    regions_text(&w.regions)
                );
                Ok(())
            }
        }
    }
}
