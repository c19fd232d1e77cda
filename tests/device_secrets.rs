//! Issue 11 on the device, through the real `njia` binary on real store files: a guessable
//! passphrase creates nothing, wrong passphrases make the next attempt wait, the store is
//! its user's alone, and plain HTTP leaves the machine only on purpose.

use std::time::{Duration, Instant};

use njia_e2e::Device;

#[test]
fn a_guessable_passphrase_creates_no_store() {
    let d = Device::new();
    for (weak, words) in [
        ("x", "at least 10"),
        ("12345678", "at least 10"),
        ("1234567890", "simple run"),
        ("aaaaaaaaaaaa", "repeats"),
        ("Password123", "most common"),
    ] {
        d.run_with(&["status"], None, weak)
            .fails_with(words)
            .fails_with("too easy to guess");
        assert!(!d.db().exists(), "{weak} created a store");
    }
    // The suites' own passphrase is fine, and the store it made opens with it afterwards.
    d.run(&["status", "--json"]).ok();
    assert!(d.db().exists());
}

#[test]
fn wrong_passphrases_make_the_next_attempt_wait_and_the_right_one_clears_the_count() {
    let d = Device::new();
    d.run(&["status"]).ok();
    let side = std::path::PathBuf::from(format!("{}-unlock", d.db().display()));
    for _ in 0..3 {
        d.run_with(&["status"], None, "not the passphrase")
            .fails_with("wrong passphrase");
    }
    assert_eq!(std::fs::read_to_string(&side).unwrap().trim(), "3");
    let started = Instant::now();
    let r = d
        .run_with(&["status"], None, "not it either")
        .fails_with("wrong passphrase");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(r.stderr.contains("waiting 1 s"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&side).unwrap().trim(), "4");
    d.run(&["status"]).ok();
    assert!(!side.exists());
}

#[cfg(unix)]
#[test]
fn the_store_and_its_folder_are_created_for_their_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let d = Device::new();
    let folder = d.dir.path().join("phone").join("njia");
    let db = folder.join("njia.db");
    let out = std::process::Command::new(njia_e2e::bin("njia"))
        .arg("--db")
        .arg(&db)
        .arg("status")
        .env("NJIA_PASSPHRASE", &d.passphrase)
        .env_remove("NJIA_DB")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(folder.parent().unwrap()), 0o700);
}

#[test]
fn plain_http_to_a_public_host_is_refused_in_words_unless_insecure() {
    let d = Device::new();
    for server in ["http://njia.example.org", "http://8.8.8.8:8080"] {
        d.run(&["enroll", "--server", server, "--code", "K7QM-3XPA-9D"])
            .fails_with("unencrypted")
            .fails_with("--insecure");
    }
    // `--insecure` is accepted by enroll and sync: sync then fails for its own reason.
    d.run(&["sync", "--insecure"]).fails_with("not enrolled");
    assert!(!d.run(&["status", "--json"]).ok().json()["server"].is_string());
}
