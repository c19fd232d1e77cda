//! Sync commands: enroll, sync, correct. Each is a few lines over `njia-sync` / `njia-store`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use njia_sync::blocking::BlockingClient;
use njia_sync::pin::CertPin;
use njia_sync::{SyncOptions, SyncReport};

use crate::args::{CorrectArgs, EnrollArgs, SyncArgs};
use crate::{output, unlock};

/// The sync engine, allowing plain HTTP to any host only with `--insecure`, trusting only
/// the certificate of `pin` when given (a store enrolled with a pin is held to it anyway).
fn client(insecure: bool, pin: Option<CertPin>) -> anyhow::Result<BlockingClient> {
    Ok(BlockingClient::with_options(SyncOptions {
        insecure,
        pin,
        ..SyncOptions::default()
    })?)
}

/// `njia enroll --server URL --code CODE [--label L] [--insecure] [--pin-sha256 HEX]`.
pub fn enroll(db: &Option<PathBuf>, a: EnrollArgs, json: bool) -> anyhow::Result<()> {
    let pin = a
        .pin_sha256
        .as_deref()
        .map(str::parse::<CertPin>)
        .transpose()?;
    let mut store = unlock::open(db)?;
    let before = store.enrollment()?;
    let e = client(a.insecure, pin)?.enroll(&mut store, &a.server, &a.code, a.label.as_deref())?;
    if let Some(b) = before {
        eprintln!(
            "This device never synced with {}; the new enrolment replaces that one.",
            b.server
        );
    }
    if json {
        return output::json(&e);
    }
    let team = e
        .team
        .as_deref()
        .map(|t| format!(", team {t}"))
        .unwrap_or_default();
    println!("Enrolled with {}", e.server);
    println!("Device       {}", e.device_id);
    println!("Worker       {} ({}{team})", e.worker, e.role.as_str());
    println!(
        "Regions      {}",
        if e.regions.is_empty() {
            "all".to_string()
        } else {
            e.regions.join(", ")
        }
    );
    println!("Run `njia sync` to send outreach and receive the directory.");
    Ok(())
}

/// `njia sync [--server URL] [--json]`: one round to completion. Exit 0 only when every
/// pending operation and correction was acknowledged and the feed has no more.
pub fn sync(db: &Option<PathBuf>, a: SyncArgs, json: bool) -> anyhow::Result<()> {
    let mut store = unlock::open(db)?;
    let client = client(a.insecure, None)?;
    let spinner = (!json && std::io::stderr().is_terminal()).then(|| {
        let s = ProgressBar::new_spinner();
        s.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s.set_message("syncing…");
        s
    });
    let result = client.sync(&mut store, a.server.as_deref(), |r| {
        if let Some(s) = &spinner {
            let received = match r.items_remaining {
                Some(left) if left > 0 => format!(
                    "received {} of {} change(s)",
                    r.items_received,
                    r.items_received + left
                ),
                _ => format!("received {} change(s)", r.items_received),
            };
            s.set_message(format!(
                "sent {} operation(s), {} left; {received}",
                r.ops_pushed, r.ops_pending
            ));
        }
    });
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let report = result?;
    if json {
        output::json(&report)?;
    } else {
        summary(&report);
    }
    if let Some(offset) = report.clock_offset_ms {
        if let Some(w) = njia_store::sync::clock_warning(offset) {
            eprintln!("Warning: {w}.");
        }
    }
    if report.forks > 0 {
        eprintln!("This store was an older copy of itself (restored from a backup, or copied): it took a new device id, and the records the copy lacked came back from the server.");
    }
    if report.history_resets > 0 {
        eprintln!("The server was restored from a copy: the directory was read again, and {} operation(s) it had lost were sent again.", report.ops_resent);
    }
    if !report.refused.is_empty() {
        for r in &report.refused {
            eprintln!("Refused: {}", output::clean(&refused_line(r)));
        }
        bail!(
            "the server refused {} item(s) of this device (listed above and in `njia status`); everything else was synced",
            report.refused.len()
        );
    }
    if !report.complete {
        bail!(
            "the sync did not finish: {} operation(s) still to send{}; run `njia sync` again",
            report.ops_pending,
            if report.more {
                " and more directory changes to receive"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn summary(r: &SyncReport) {
    let verb = if r.complete {
        "Synced"
    } else {
        "Partly synced"
    };
    println!("{verb} with {}", r.server);
    println!(
        "Sent         {} operation(s), {} correction(s)",
        r.ops_pushed, r.corrections_sent
    );
    println!(
        "Received     {} service(s), {} removed, {} outreach change(s)",
        r.services_received, r.services_removed, r.ops_received
    );
    println!(
        "Network      {} request(s), {} sent, {} received",
        r.requests,
        bytes(r.bytes_sent),
        bytes(r.bytes_received)
    );
}

/// One refused item in words: what it was and why.
pub fn refused_line(r: &njia_store::sync::RefusedItem) -> String {
    let what = match (&r.kind, r.idx) {
        (Some(kind), Some(idx)) => format!("{kind} of {} (operation {idx})", r.id),
        _ => format!("{} {}", r.item, r.id),
    };
    format!("{what}: {}", r.reason)
}

fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// `njia correct SERVICE_ID --field F --value V [--note N]`: prints the correction's id.
pub fn correct(db: &Option<PathBuf>, a: CorrectArgs, json: bool) -> anyhow::Result<()> {
    let mut store = unlock::open(db)?;
    let c = store.add_correction(&a.service_id, &a.field, a.value.as_deref(), &a.note)?;
    if json {
        return output::json(&c);
    }
    println!("{}", c.id);
    eprintln!(
        "Correction of {} kept; it goes to the office with the next sync.",
        c.field
    );
    Ok(())
}
