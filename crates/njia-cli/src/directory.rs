//! Directory commands: import, near, search, service, places, demo-data.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::DateTime;
use indicatif::{ProgressBar, ProgressStyle};
use njia_model::geo::Point;
use njia_store::near::{Filter, NearQuery};
use njia_store::search::SearchQuery;

use crate::args::{DemoArgs, ImportArgs, NearArgs, PlacesArgs, SearchArgs, ServiceArgs};
use crate::{output, unlock};

/// A progress bar on a terminal, nothing otherwise (scripts and CI logs stay clean).
fn progress_bar(json: bool, what: &str) -> Option<ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    Some(bar)
}

fn point(lat: f64, lon: f64) -> anyhow::Result<Point> {
    Point::new(lat, lon).map_err(|e| anyhow::anyhow!(e.message))
}

pub fn import(db: &Option<PathBuf>, a: ImportArgs, json: bool) -> anyhow::Result<()> {
    let mut store = unlock::open(db)?;
    let bar = progress_bar(json, "reading");
    let imported = njia_import::read_path(&a.path, &mut |p| {
        if let Some(b) = &bar {
            b.set_length(p.total);
            b.set_position(p.done);
        }
    })
    .with_context(|| format!("nothing was imported from {}", a.path.display()))?;
    if let Some(b) = &bar {
        b.set_message("storing");
    }
    let summary = store
        .import_services(&imported.services, |done, total| {
            if let Some(b) = &bar {
                b.set_length(total);
                b.set_position(done);
            }
        })
        .context("nothing was imported")?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if json {
        output::json(&serde_json::json!({
            "format": imported.format.as_str(),
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "skipped": imported.skipped.iter().map(|s| serde_json::json!({"location": s.location, "reason": s.reason})).collect::<Vec<_>>(),
        }))
    } else {
        println!(
            "Imported {} services from {} ({}): {} new, {} updated, {} unchanged.",
            imported.services.len(),
            a.path.display(),
            imported.format,
            summary.inserted,
            summary.updated,
            summary.unchanged
        );
        if !imported.skipped.is_empty() {
            println!("Skipped {}:", imported.skipped.len());
            for s in imported.skipped.iter().take(10) {
                println!("  {}: {}", s.location, s.reason);
            }
            if imported.skipped.len() > 10 {
                println!("  … and {} more (see --json)", imported.skipped.len() - 10);
            }
        }
        Ok(())
    }
}

pub fn near(db: &Option<PathBuf>, a: NearArgs, json: bool) -> anyhow::Result<()> {
    let point = point(a.lat, a.lon)?;
    let open_at = match &a.open_at {
        Some(t) => Some(DateTime::parse_from_rfc3339(t).with_context(|| {
            format!("--open-at \"{t}\" is not an RFC 3339 time like 2026-11-20T09:30:00+03:00")
        })?),
        None => None,
    };
    let radius_m = a.radius_km.map(|km| km * 1000.0);
    if let Some(km) = a.radius_km {
        if !km.is_finite() || km < 0.0 {
            bail!("--radius-km {km} is not a distance (it must be 0 or more)");
        }
    }
    let store = unlock::open(db)?;
    let hits = store.near(&NearQuery {
        point,
        radius_m,
        limit: a.limit,
        filter: Filter {
            categories: a.categories,
            languages: a.languages,
            free: a.free,
            no_documents: a.no_documents,
            interpreter: a.interpreter,
            open_at,
        },
    })?;
    if json {
        output::json(&hits)
    } else {
        output::hits(&hits);
        Ok(())
    }
}

pub fn search(db: &Option<PathBuf>, a: SearchArgs, json: bool) -> anyhow::Result<()> {
    let near = match (a.lat, a.lon) {
        (Some(lat), Some(lon)) => Some(point(lat, lon)?),
        _ => None,
    };
    let store = unlock::open(db)?;
    let hits = store.search(&SearchQuery {
        text: a.text,
        near,
        limit: a.limit,
    })?;
    if json {
        output::json(&hits)
    } else {
        output::hits(&hits);
        Ok(())
    }
}

pub fn places(db: &Option<PathBuf>, a: PlacesArgs, json: bool) -> anyhow::Result<()> {
    if a.limit == 0 {
        bail!("--limit 0 would list nothing; give 1 or more");
    }
    let store = unlock::open(db)?;
    let places = store.places(a.query.as_deref().unwrap_or(""), a.limit)?;
    if json {
        return output::json(&places);
    }
    if places.is_empty() {
        println!("No places found.");
        return Ok(());
    }
    let label = |p: &njia_store::places::Place| match &p.context {
        Some(c) => format!("{}, {c}", p.name),
        None => p.name.clone(),
    };
    let width = places
        .iter()
        .map(|p| label(p).chars().count())
        .max()
        .unwrap_or(0);
    for p in &places {
        let services = match p.services {
            1 => "1 service".to_string(),
            n => format!("{n} services"),
        };
        println!(
            "{:<width$}  {services:>12}  {:.5}, {:.5}",
            label(p),
            p.lat,
            p.lon
        );
    }
    Ok(())
}

pub fn service(db: &Option<PathBuf>, a: ServiceArgs, json: bool) -> anyhow::Result<()> {
    let store = unlock::open(db)?;
    let Some(s) = store.service(&a.id)? else {
        bail!("no service with id {} in this device's directory", a.id);
    };
    if json {
        return output::json(&s);
    }
    println!("{}", s.name);
    let line = |label: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            println!("  {label:<14}{v}");
        }
    };
    line("id", Some(&s.id));
    line("organisation", s.organization.as_deref());
    line("categories", Some(&s.categories.join(", ")));
    line("languages", Some(&s.languages.join(", ")));
    let yes_no = |b: bool| if b { "yes" } else { "no / not known" };
    line("free", Some(yes_no(s.free_of_charge)));
    line("no documents", Some(yes_no(s.no_documents_required)));
    line("interpreter", Some(yes_no(s.interpreter_available)));
    line("hours", s.opening_hours.as_deref());
    line("time zone", s.timezone.as_deref());
    line("phone", s.phone.as_deref());
    line("email", s.email.as_deref());
    line("website", s.website.as_deref());
    line("address", s.address.as_deref());
    line("country", s.country.as_deref());
    line("fees", s.fees.as_deref());
    line("documents", s.documents.as_deref());
    line("about", s.description.as_deref());
    println!("  {:<14}{:.5}, {:.5}", "location", s.lat, s.lon);
    line("source", s.source.as_deref());
    Ok(())
}

pub fn demo_data(db: &Option<PathBuf>, a: DemoArgs, json: bool) -> anyhow::Result<()> {
    let services: Vec<_> = njia_demo::services(a.services, a.seed).collect();
    if let Some(out) = &a.out {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot write {}", out.display()))?;
        njia_import::write_geojson(&services, std::io::BufWriter::new(file))?;
        if !json {
            println!(
                "Wrote {} demo services to {}.",
                services.len(),
                out.display()
            );
        }
        return Ok(());
    }
    let mut store = unlock::open(db)?;
    let bar = progress_bar(json, "storing");
    let summary = store.import_services(&services, |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if json {
        output::json(&summary)
    } else {
        println!(
            "Demo directory (seed {}): {} new, {} updated, {} unchanged services.",
            a.seed, summary.inserted, summary.updated, summary.unchanged
        );
        Ok(())
    }
}
