//! Printing: JSON for machines, short aligned lines for people, errors as one sentence chain.

use std::io::Write;

use njia_store::directory::ServiceHit;
use serde::Serialize;

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Text from data made safe for a terminal (`njia_model::printable`).
pub use njia_model::printable::printable as clean;

/// An error and its causes as one line: "cannot open the store x: wrong passphrase: …".
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// Distance in words a CHW reads at a glance.
pub fn distance(m: f64) -> String {
    if m < 1_000.0 {
        format!("{m:.0} m")
    } else if m < 100_000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{:.0} km", m / 1000.0)
    }
}

/// The migration-sensitive attributes of a service as short tags.
pub fn tags(h: &ServiceHit) -> String {
    let mut t = Vec::new();
    if h.free_of_charge {
        t.push("free");
    }
    if h.no_documents_required {
        t.push("no-docs");
    }
    if h.interpreter_available {
        t.push("interpreter");
    }
    if h.migrant_friendly {
        t.push("migrant-friendly");
    }
    t.join(" ")
}

/// A list of services, one per line.
pub fn hits(hits: &[ServiceHit]) {
    if hits.is_empty() {
        println!("No services found.");
        return;
    }
    let indent = if hits.iter().any(|h| h.distance_m.is_some()) {
        9
    } else {
        0
    };
    for h in hits {
        let dist = h.distance_m.map(distance).unwrap_or_default();
        println!(
            "{dist:>width$}  {}  [{}]  {}  {}",
            h.name,
            h.categories.join(", "),
            h.languages.join(","),
            tags(h),
            width = indent,
        );
        let mut second = vec![format!("id {}", h.id)];
        if let Some(p) = &h.phone {
            second.push(format!("tel {p}"));
        }
        if let Some(o) = &h.opening_hours {
            second.push(o.clone());
        }
        println!("{:>indent$}  {}", "", second.join(" · "));
    }
}
