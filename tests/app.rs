//! The app end to end: the real built `njia-app`, driven through W3C WebDriver
//! (`tauri-driver` in front of Debian's `WebKitWebDriver`) in a virtual X display, against a
//! real `njia-server` on loopback. A CHW's day: unlock, find services near a point with a
//! filter, open one, record a session with a referral to it, see it pending, sync, see
//! nothing pending, switch to Swahili.
//!
//! Needs `njia-app` built (`scripts/test` builds it), `tauri-driver` (`cargo install
//! tauri-driver --locked`), `WebKitWebDriver` (Debian's webkit2gtk-driver) and `Xvfb` when
//! there is no display. Where one is missing the test says so and passes, unless
//! `NJIA_E2E_REQUIRE_APP=1` (set by `scripts/test` wherever a display can be made, and by
//! `.ci/run`), where it fails.
//!
//! With `NJIA_SCREENSHOTS=DIR` it saves a PNG of each screen, at phone size when
//! `NJIA_WINDOW_SIZE=360x640` is set too (`scripts/screenshots` writes `docs/screenshots/`
//! this way).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use njia_e2e::app::{click, css, find, text_of, tools, type_into, wait_text, App, WAIT};
use njia_e2e::{Device, Server};
use serde_json::Value;

/// The X display the app runs in, for screenshots.
static DISPLAY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Saves the app's window as a PNG. The X server is asked (imagemagick's `import`), not
/// WebKitWebDriver, whose screenshot can wait forever for a repaint that never comes.
async fn shot(name: &str) {
    let Some(dir) = std::env::var_os("NJIA_SCREENSHOTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let (size, crop) = match std::env::var("NJIA_WINDOW_SIZE") {
        Ok(s) => ("phone", format!("{s}+0+0")),
        Err(_) => ("desktop", "1100x760+0+0".to_string()),
    };
    // Let the map and the transitions settle.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let out = dir.join(format!("{name}-{size}.png"));
    let shot = njia_e2e::output_within(
        Command::new("import")
            .args(["-window", "root", "-crop", &crop])
            .arg(&out)
            .env("DISPLAY", DISPLAY.get().expect("display")),
        None,
        njia_e2e::timeout(),
    )
    .expect("imagemagick's import");
    assert!(
        shot.status.success(),
        "screenshot {name}: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
}

/// The value at the same key path in `other` as `english` has in `en`.
fn translation(en: &Value, other: &Value, english: &str) -> Option<String> {
    match en {
        Value::String(s) if s == english => other.as_str().map(str::to_string),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| translation(v, other.get(k)?, english)),
        _ => None,
    }
}

fn catalog(lang: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../ui/src/locales/{lang}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("catalog")).expect("catalog JSON")
}

#[test]
fn a_chw_day_in_the_app_from_unlock_to_sync_then_swahili() {
    let tools = match tools() {
        Ok(t) => t,
        Err(why) if std::env::var_os("NJIA_E2E_REQUIRE_APP").is_some() => {
            panic!("the app test cannot run: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };

    // The office: a directory of demo services, and a code for Amina.
    let server = Server::start(None);
    let device = Device::new();
    let directory = device.dir.path().join("directory.geojson");
    device
        .run(&[
            "demo-data",
            "--services",
            "3000",
            "--seed",
            "11",
            "--out",
            directory.to_str().unwrap(),
        ])
        .ok();
    server.admin(&["import", directory.to_str().unwrap()]).ok();
    let code = server.enrollment_code("Amina", "eastleigh", "KE", "worker");
    device
        .run(&["enroll", "--server", &server.url, "--code", &code])
        .ok();
    device.run(&["sync"]).ok();
    // A correction of a service only this phone knows: the office refuses it, and the sync
    // screen must say so in words.
    let local = device.file(
        "local.geojson",
        &serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.9, -1.3]},
            "properties": {"id": "svc-only-on-this-phone", "name": "Kliniki ya simu", "country": "KE"}}]})
        .to_string(),
    );
    device.run(&["import", local.to_str().unwrap()]).ok();
    device
        .run(&[
            "correct",
            "svc-only-on-this-phone",
            "--field",
            "phone",
            "--value",
            "+254 700 1",
        ])
        .ok();

    // Near Eastleigh, Nairobi: what the CLI finds free of charge, the app must find too.
    let (lat, lon) = (-1.2741, 36.8516);
    let free = device
        .run(&[
            "near",
            "--lat",
            &lat.to_string(),
            "--lon",
            &lon.to_string(),
            "--free",
            "--limit",
            "200",
            "--json",
        ])
        .ok()
        .json();
    let free_ids: Vec<String> = free
        .as_array()
        .expect("near answers a list")
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !free_ids.is_empty(),
        "the demo directory has free services in Kenya"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let size = std::env::var("NJIA_WINDOW_SIZE").ok();
        let env: Vec<(&str, &str)> = size
            .as_deref()
            .map(|s| vec![("NJIA_WINDOW_SIZE", s)])
            .unwrap_or_default();
        let app = App::start(&tools, &device.db(), &env).await;
        DISPLAY.set(app.display.clone()).ok();
        let c = &app.client;
        day(c, &device, &server, lat, lon, &free_ids).await;
        app.client.clone().close().await.ok();
    });
}

async fn day(
    c: &Client,
    device: &Device,
    server: &Server,
    lat: f64,
    lon: f64,
    free_ids: &[String],
) {
    // Unlock.
    eprintln!("app test: Unlock");
    type_into(c, "passphrase", &device.passphrase).await;
    shot("unlock").await;
    click(c, "unlock").await;

    // Find free services near a typed point.
    eprintln!("app test: Find free services near a typed point");
    click(c, "nav-find").await;
    type_into(c, "place-input", &format!("{lat}, {lon}\u{E007}")).await;
    click(c, "chip-free").await;
    let start = Instant::now();
    let ids = loop {
        let mut ids = Vec::new();
        for e in c.find_all(Locator::Css(&css("result"))).await.unwrap() {
            if let Ok(Some(id)) = e.attr("data-id").await {
                ids.push(id);
            }
        }
        // Wait until the list shows only free services (the filter applied).
        if !ids.is_empty() && ids.iter().all(|id| free_ids.contains(id)) {
            break ids;
        }
        assert!(
            start.elapsed() < WAIT,
            "results never showed only free services: {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(ids[0], free_ids[0], "the nearest free service comes first");
    shot("find").await;

    // Open the nearest one.
    eprintln!("app test: Open the nearest one");
    c.find(Locator::Css(&format!(
        "{}[data-id=\"{}\"]",
        css("result"),
        ids[0]
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let heading = format!("{} h2", css("service-page"));
    let name = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&heading))
        .await
        .expect("the service page's heading")
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    let shown = device.run(&["service", &ids[0], "--json"]).ok().json();
    assert_eq!(name.trim(), shown["name"].as_str().unwrap());
    shot("service").await;

    // Record a session with a referral to it.
    eprintln!("app test: Record a session with a referral to it");
    click(c, "refer-here").await;
    type_into(c, "session-place", "Eastleigh market (e2e)").await;
    type_into(c, "reached-female-18-49-migrant", "7").await;
    type_into(c, "reached-male-5-17-host", "3").await;
    wait_text(c, "reached-total", |t| t.contains("10")).await;
    if let Ok(code) = c.find(Locator::Css(&css("client-code"))).await {
        code.send_keys("A7X-22").await.unwrap();
    }
    shot("record").await;
    click(c, "save-final").await;
    find(c, "saved").await;

    // One session pending, as the store says.
    eprintln!("app test: One session pending, as the store says");
    let status = device.run(&["status", "--json"]).ok().json();
    let pending = status["pending"].as_i64().expect("pending");
    assert!(pending >= 1, "the session is pending: {status}");
    wait_text(c, "pending-badge", |t| t == pending.to_string()).await;
    click(c, "nav-sessions").await;
    find(c, "session-row").await;
    shot("sessions").await;

    // Sync against the real server: nothing pending after, and the session is there.
    eprintln!(
        "app test: Sync against the real server: nothing pending after, and the session is there"
    );
    click(c, "nav-sync").await;
    wait_text(c, "pending-count", |t| t == pending.to_string()).await;
    click(c, "sync-now").await;
    wait_text(c, "pending-count", |t| t == "0").await;
    let last = wait_text(c, "last-sync", |t| !t.is_empty()).await;
    assert!(!last.is_empty());
    // The refused correction is listed, in the app's words, with the server's beneath.
    wait_text(c, "refused", |t| {
        t.contains("the service is not in the office's directory")
            && t.contains("svc-only-on-this-phone")
    })
    .await;
    shot("sync").await;
    let listed = server.admin(&["outreach", "list", "--json"]).ok().json();
    let text = listed.to_string();
    assert!(
        text.contains("Eastleigh market (e2e)"),
        "the server has the session: {text}"
    );
    assert!(
        text.contains(&ids[0]),
        "the server has the referral: {text}"
    );

    // Swahili: the same screen, in the catalog's words.
    eprintln!("app test: Swahili: the same screen, in the catalog's words");
    click(c, "nav-settings").await;
    shot("settings").await;
    let english = text_of(c, "nav-find").await;
    let swahili = translation(&catalog("en"), &catalog("sw"), english.trim())
        .unwrap_or_else(|| panic!("\"{english}\" is not in the English catalog"));
    assert_ne!(swahili, english.trim(), "the Swahili catalog translates it");
    let select = find(c, "language").await;
    select.select_by_value("sw").await.unwrap();
    wait_text(c, "nav-find", |t| t == swahili).await;
    click(c, "nav-find").await;
    shot("find-sw").await;
}
