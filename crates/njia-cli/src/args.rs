//! The command line, as DESIGN §5 writes it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "njia",
    version,
    about = "Find migration-sensitive health services and record outreach, offline."
)]
pub struct Cli {
    /// The device store (an encrypted SQLite file). Default: NJIA_DB, else the platform's data folder.
    #[arg(long, global = true, env = "NJIA_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Load directory data: an HSDS 3.0 data package folder, a GeoJSON FeatureCollection or a healthsites.io CSV.
    Import(ImportArgs),
    /// Services nearest to a point, filtered.
    Near(NearArgs),
    /// Services by name, organisation or address.
    Search(SearchArgs),
    /// One service whole.
    Service(ServiceArgs),
    /// Places named in the directory's addresses (neighbourhoods, camps, towns), with where their services are.
    Places(PlacesArgs),
    /// Generate a realistic demo directory and load it (or write it as GeoJSON with --out).
    DemoData(DemoArgs),
    /// Outreach sessions: add, list, show, edit, void.
    Log(LogArgs),
    /// Referrals: list, update.
    Refer(ReferArgs),
    /// What the device holds and what waits to be synced.
    Status(StatusArgs),
    /// Enrol this device with the office's server, using a one-time code from the office.
    Enroll(EnrollArgs),
    /// Sync with the server: send outreach and corrections, receive directory updates. Exits 0 only when everything was acknowledged and the directory is up to date.
    Sync(SyncArgs),
    /// Propose a fix to a directory entry (a wrong phone, a closed service); the office reviews it.
    Correct(CorrectArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// A file or a folder (HSDS data package with datapackage.json).
    pub path: PathBuf,
}

#[derive(Args)]
pub struct NearArgs {
    #[arg(long, allow_hyphen_values = true)]
    pub lat: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub lon: f64,
    /// Only services within this many kilometres; without it, the nearest however far.
    #[arg(long, value_name = "KM", allow_hyphen_values = true)]
    pub radius_km: Option<f64>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// A category of the taxonomy; repeat for any of several.
    #[arg(long = "category", value_name = "C")]
    pub categories: Vec<String>,
    /// An ISO 639 language code; repeat for any of several.
    #[arg(long = "language", value_name = "L")]
    pub languages: Vec<String>,
    /// Free of charge only.
    #[arg(long)]
    pub free: bool,
    /// No identity documents required.
    #[arg(long)]
    pub no_documents: bool,
    /// An interpreter is available.
    #[arg(long)]
    pub interpreter: bool,
    /// Open at this time (RFC 3339, e.g. 2026-11-20T09:30:00+03:00), in each service's local time.
    #[arg(long, value_name = "RFC3339")]
    pub open_at: Option<String>,
}

#[derive(Args)]
pub struct SearchArgs {
    pub text: String,
    /// With --lon: rank by distance from this point.
    #[arg(long, requires = "lon", allow_hyphen_values = true)]
    pub lat: Option<f64>,
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    pub lon: Option<f64>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Args)]
pub struct PlacesArgs {
    /// What to look for: the start of a word of the name ("eastl", "sao jo"); without it, every place, most services first.
    pub query: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Args)]
pub struct ServiceArgs {
    pub id: String,
}

#[derive(Args)]
pub struct DemoArgs {
    /// How many services.
    #[arg(long, default_value_t = 1_000)]
    pub services: usize,
    /// Same seed, same directory.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write a GeoJSON file instead of loading the store.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(Subcommand)]
pub enum LogCommand {
    /// Record a session from a JSON file (`-` for standard input); prints its id.
    Add {
        #[arg(long, value_name = "F|-")]
        file: String,
    },
    /// Sessions, most recent first.
    List {
        /// Only sessions in this status: draft, final or voided.
        #[arg(long)]
        status: Option<String>,
    },
    /// One session as JSON (the shape `log edit` takes back).
    Show { id: String },
    /// Replace a session's fields with those of a JSON file; only changes are recorded.
    Edit {
        id: String,
        #[arg(long, value_name = "F|-")]
        file: String,
    },
    /// Void a session: it is kept, with the reason, and no longer counts.
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Args)]
pub struct ReferArgs {
    #[command(subcommand)]
    pub command: ReferCommand,
}

#[derive(Subcommand)]
pub enum ReferCommand {
    /// Referrals, oldest first.
    List {
        /// issued, completed or not_completed.
        #[arg(long)]
        status: Option<String>,
        /// Only those with a follow-up due on or before this date (YYYY-MM-DD, or "today").
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        /// Only those of this session.
        #[arg(long)]
        session: Option<String>,
    },
    /// Record the outcome of a referral or move its follow-up date.
    Update {
        id: String,
        /// completed, not_completed or issued.
        #[arg(long)]
        status: Option<String>,
        /// YYYY-MM-DD, or "none" to clear it.
        #[arg(long, value_name = "DATE")]
        follow_up_on: Option<String>,
    },
}

#[derive(Args)]
pub struct StatusArgs {}

#[derive(Args)]
pub struct EnrollArgs {
    /// The server's address, e.g. https://njia.example.org.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// The one-time code the office gave for this worker.
    #[arg(long)]
    pub code: String,
    /// A name for this device in the office's list (e.g. "Amina's tablet").
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Allow plain http:// to a public address or a host name (the token and outreach then
    /// cross the network unencrypted). Without it http:// goes only to this machine or a private network.
    #[arg(long)]
    pub insecure: bool,
    /// Trust only the server certificate with this SHA-256 (as `njia-server serve` prints it),
    /// whoever signed it: for an office with a self-signed certificate. Kept for every later sync.
    #[arg(long, value_name = "HEX")]
    pub pin_sha256: Option<String>,
}

#[derive(Args)]
pub struct SyncArgs {
    /// Another address of the same server for this round only (e.g. the office's local network).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Allow plain http:// to a public address or a host name (the token and outreach then
    /// cross the network unencrypted). Without it http:// goes only to this machine or a private network.
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Args)]
pub struct CorrectArgs {
    /// The service the correction is about.
    pub service_id: String,
    /// name, phone, address, opening_hours, email, website, fees, documents, languages, categories or closed.
    #[arg(long, value_name = "F")]
    pub field: String,
    /// The correct value (lists comma-separated; opening hours in OpenStreetMap syntax). Not needed for closed.
    #[arg(long, value_name = "V")]
    pub value: Option<String>,
    /// What the CHW saw, for the office.
    #[arg(long, value_name = "N", default_value = "")]
    pub note: String,
}
