//! Workers as records (issue 10): a worker has a server-issued id, and name, team, role and
//! regions are attributes of that record. Devices belong to a worker by id; ownership,
//! visibility and edit rights key on the id, so two people with one name in two teams are two
//! workers who never see or change each other's outreach.
//!
//! The rules every backend keeps, decided here once:
//! - an enrolment by name (`njia-server enroll --worker NAME --team T`) is for the one worker
//!   of that name in that team ([`pick`]); none: a new worker is made; several (two people
//!   with one name in one team, added with `workers add`): refused in words, the office names
//!   one by id;
//! - names and teams match after trimming, with runs of spaces as one and without regard to
//!   case ([`key`]): "Amina  Yusuf" typed at a second enrolment is the same person;
//! - a worker's name can change (`workers edit`); what their records and devices show follows
//!   it. Team, role and regions are what later enrolment codes carry by default: a device
//!   takes a change of them when it is enrolled again (it keeps its id and its log).

use chrono::{DateTime, Utc};
use njia_model::wire::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DbError, DbResult};

/// The worker of the server's own device (office edits). Never matched by name, so a CHW
/// called "office" is another person.
pub const OFFICE_WORKER_ID: Uuid = Uuid::from_u128(0x6e6a_6961_0ff1_7ce0_8000_0000_0000_0002);

/// The longest name or team the office may type.
pub const MAX_NAME_CHARS: usize = 100;

/// A worker as the server holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRecord {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub team: Option<String>,
    /// The role enrolment codes for this worker carry unless one is given.
    pub role: Role,
    /// The regions (ISO 3166 codes) codes for this worker carry unless given; empty: every
    /// region.
    pub regions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A worker being added.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorker {
    /// Chosen by the server (a random UUID); adding the same id again returns the worker
    /// held, so a retried command does not make a second person.
    pub id: Uuid,
    pub name: String,
    pub team: Option<String>,
    pub role: Role,
    pub regions: Vec<String>,
    pub now: DateTime<Utc>,
}

impl NewWorker {
    /// A worker with a new random id (the office's own worker has a fixed one).
    pub fn new(
        name: impl Into<String>,
        team: Option<String>,
        role: Role,
        regions: Vec<String>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::new_v4(),
            name: name.into(),
            team,
            role,
            regions,
            now,
        }
    }

    /// The record it becomes.
    pub fn record(&self) -> WorkerRecord {
        WorkerRecord {
            id: self.id,
            name: self.name.clone(),
            team: self.team.clone(),
            role: self.role,
            regions: self.regions.clone(),
            created_at: self.now,
            updated_at: self.now,
        }
    }
}

/// Which worker an enrolment code is for.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerChoice {
    /// Exactly this worker (`--worker-id`).
    Id(Uuid),
    /// The one worker of this name in this team, made from this when there is none.
    Named(NewWorker),
}

/// A change of a worker's attributes; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerEdit {
    pub name: Option<String>,
    /// `Some(None)` takes the worker out of every team.
    pub team: Option<Option<String>>,
    pub role: Option<Role>,
    pub regions: Option<Vec<String>>,
}

impl WorkerEdit {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.team.is_none() && self.role.is_none() && self.regions.is_none()
    }

    /// The worker after the edit.
    pub fn apply(&self, w: &WorkerRecord, now: DateTime<Utc>) -> WorkerRecord {
        WorkerRecord {
            id: w.id,
            name: self.name.clone().unwrap_or_else(|| w.name.clone()),
            team: self.team.clone().unwrap_or_else(|| w.team.clone()),
            role: self.role.unwrap_or(w.role),
            regions: self.regions.clone().unwrap_or_else(|| w.regions.clone()),
            created_at: w.created_at,
            updated_at: now,
        }
    }
}

/// The form names and teams are compared in: trimmed, runs of white space as one space,
/// lower case.
pub fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A name or team as the office typed it, cleaned (trimmed, inner runs of spaces as one) and
/// checked: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn clean_name(what: &str, s: &str) -> DbResult<String> {
    let cleaned = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() || cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(DbError::Invalid(format!(
            "a {what} must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if cleaned.chars().any(char::is_control) {
        return Err(DbError::Invalid(format!(
            "a {what} cannot hold control characters"
        )));
    }
    Ok(cleaned)
}

/// The worker an enrolment by `name` in `team` is for, among every worker held: `Ok(None)`
/// when there is none (a new worker is made), [`DbError::Invalid`] in words when several
/// fit. The office's own worker is never matched.
pub fn pick<'a>(
    workers: &'a [WorkerRecord],
    name: &str,
    team: Option<&str>,
) -> DbResult<Option<&'a WorkerRecord>> {
    let (name_key, team_key) = (key(name), team.map(key));
    let fits: Vec<&WorkerRecord> = workers
        .iter()
        .filter(|w| w.id != OFFICE_WORKER_ID)
        .filter(|w| key(&w.name) == name_key && w.team.as_deref().map(key) == team_key)
        .collect();
    match fits.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        several => {
            let ids: Vec<String> = several.iter().map(|w| w.id.to_string()).collect();
            Err(DbError::Invalid(format!(
                "{} workers are named \"{name}\"{}: name one with --worker-id ({}; see `njia-server workers list`)",
                several.len(),
                match team {
                    Some(t) => format!(" in team \"{t}\""),
                    None => " with no team".into(),
                },
                ids.join(", ")
            )))
        }
    }
}

/// The one rule of [`crate::Database::choose_worker`] for every backend: `held` is every
/// worker stored (read in the write transaction), the answer the worker to use and whether
/// it must be inserted.
pub fn choose(held: &[WorkerRecord], choice: &WorkerChoice) -> DbResult<(WorkerRecord, bool)> {
    match choice {
        WorkerChoice::Id(id) => held
            .iter()
            .find(|w| w.id == *id && w.id != OFFICE_WORKER_ID)
            .cloned()
            .map(|w| (w, false))
            .ok_or_else(|| DbError::NotFound {
                what: "worker",
                id: id.to_string(),
            }),
        WorkerChoice::Named(new) => match pick(held, &new.name, new.team.as_deref())? {
            Some(w) => Ok((w.clone(), false)),
            None => Ok((new.record(), true)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(name: &str, team: Option<&str>) -> WorkerRecord {
        NewWorker::new(
            name,
            team.map(str::to_string),
            Role::Worker,
            vec![],
            Utc::now(),
        )
        .record()
    }

    #[test]
    fn one_name_in_two_teams_is_two_people() {
        let held = vec![
            worker("Amina Yusuf", Some("Eastleigh")),
            worker("Amina Yusuf", Some("Kibera")),
        ];
        let a = pick(&held, "amina  yusuf", Some("eastleigh"))
            .unwrap()
            .unwrap();
        assert_eq!(a.id, held[0].id);
        let b = pick(&held, "Amina Yusuf", Some("Kibera")).unwrap().unwrap();
        assert_eq!(b.id, held[1].id);
        assert!(pick(&held, "Amina Yusuf", None).unwrap().is_none());
        assert!(pick(&held, "Amina Yusuf", Some("Mathare"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn two_of_one_name_in_one_team_are_refused_in_words() {
        let held = vec![worker("Juma", Some("A")), worker("Juma", Some("A"))];
        let err = pick(&held, "Juma", Some("A")).unwrap_err().to_string();
        assert!(err.contains("2 workers are named \"Juma\""), "{err}");
        assert!(err.contains(&held[0].id.to_string()), "{err}");
        assert!(err.contains("--worker-id"), "{err}");
    }

    #[test]
    fn the_office_is_never_matched_by_name() {
        let mut office = worker("office", None);
        office.id = OFFICE_WORKER_ID;
        let held = vec![office];
        assert!(pick(&held, "office", None).unwrap().is_none());
        assert!(choose(&held, &WorkerChoice::Id(OFFICE_WORKER_ID)).is_err());
    }

    #[test]
    fn names_are_cleaned_and_checked() {
        assert_eq!(
            clean_name("name", "  Amina   Yusuf ").unwrap(),
            "Amina Yusuf"
        );
        assert!(clean_name("name", "   ").is_err());
        assert!(clean_name("name", &"x".repeat(101)).is_err());
        assert!(clean_name("name", "a\u{1b}[2J").is_err());
    }
}
