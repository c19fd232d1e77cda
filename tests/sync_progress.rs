//! A first sync in small pages, against a real `njia-server` process: every answer says how
//! much of the feed remains, and the device's report turns that into progress that only
//! moves forward and ends at everything received (the app's sync bar, the CLI's line).

use njia_e2e::Server;
use njia_store::Store;
use njia_sync::blocking::BlockingClient;
use njia_sync::{SyncOptions, SyncReport};

const PASSPHRASE: &str = "progress passphrase";

#[test]
fn a_pull_in_many_pages_reports_what_remains_until_nothing_does() {
    let server = Server::start(None);
    server.import_demo(1500, 11);

    let folder = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&folder.path().join("njia.db"), PASSPHRASE).expect("open store");
    let code = server.enrollment_code("Halima", "kakuma", "KE", "worker");
    let client = BlockingClient::with_options(SyncOptions {
        // The server's smallest page: a region's directory takes many answers.
        max_bytes: 1024,
        ..SyncOptions::default()
    })
    .expect("client");
    client
        .enroll(&mut store, &server.url, &code, None)
        .expect("enrol");

    let mut seen: Vec<SyncReport> = Vec::new();
    let report = client
        .sync(&mut store, None, |r| seen.push(r.clone()))
        .expect("sync");
    assert!(report.complete, "{report:?}");
    let held = store.service_count().expect("count");
    assert!(held > 100, "only {held} services arrived");
    assert_eq!(report.items_received, held, "{report:?}");
    assert!(seen.len() > 20, "only {} answers", seen.len());

    // The first answer already knows the size of the whole pull.
    let first = &seen[0];
    assert_eq!(
        first.items_received + first.items_remaining.expect("the server counts"),
        held
    );
    // Each answer: what came plus what remains is the whole; remaining falls to 0.
    let mut last_remaining = u64::MAX;
    for r in &seen {
        let remaining = r.items_remaining.expect("every answer counts");
        assert_eq!(r.items_received + remaining, held, "{r:?}");
        assert!(remaining < last_remaining, "remaining did not fall: {r:?}");
        assert_eq!(r.more, remaining > 0, "{r:?}");
        last_remaining = remaining;
    }
    assert_eq!(last_remaining, 0);
}
