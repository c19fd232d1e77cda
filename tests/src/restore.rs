//! Restoring a server as field offices do: copy the data folder back (SQLite) or reload a
//! `pg_dump` (PostgreSQL), behind the server's back, with no Njia command involved.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{PostgresDatabase, Server};

/// [`crate::on_postgresql`] for a test that restores the server (and so needs it `mut`).
pub fn on_postgresql_mut(tag: &str, test: impl FnOnce(&mut Server)) {
    let Some(db) = PostgresDatabase::fresh(tag) else {
        return;
    };
    let mut server = Server::start(Some(&db.url));
    test(&mut server);
    drop(server);
}

/// A copy of a server's storage, taken while it was stopped.
pub struct Snapshot {
    dir: tempfile::TempDir,
}

impl Server {
    /// Stops the server, copies its storage (the data folder, or a `pg_dump` of its
    /// PostgreSQL database), and starts it again on the same address.
    pub fn snapshot(&mut self) -> Snapshot {
        self.stop_process();
        let snap = Snapshot {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        match self.database_url.clone() {
            None => copy_dir(self.dir.path(), snap.dir.path()),
            Some(url) => run(Command::new("pg_dump").args([
                "--format=custom",
                "--file",
                dump(&snap).to_str().expect("a UTF-8 path"),
                url.as_str(),
            ])),
        }
        self.kill_and_restart();
        snap
    }

    /// Stops the server, puts back the storage of `snap` (everything written since is
    /// gone, as after restoring last night's copy), and starts it again.
    pub fn restore(&mut self, snap: &Snapshot) {
        self.stop_process();
        match self.database_url.clone() {
            None => {
                for entry in std::fs::read_dir(self.dir.path()).expect("data folder") {
                    let path = entry.expect("entry").path();
                    if path.is_file() {
                        std::fs::remove_file(&path).expect("remove");
                    }
                }
                copy_dir(snap.dir.path(), self.dir.path());
            }
            Some(url) => {
                let (admin, name) = admin_url(&url);
                let psql = |sql: &str| {
                    run(Command::new("psql").args([
                        admin.as_str(),
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-qc",
                        sql,
                    ]))
                };
                psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                psql(&format!("CREATE DATABASE {name}"));
                run(Command::new("pg_restore").args([
                    "--dbname",
                    url.as_str(),
                    "--no-owner",
                    dump(snap).to_str().expect("a UTF-8 path"),
                ]));
            }
        }
        self.kill_and_restart();
    }

    fn stop_process(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dump(snap: &Snapshot) -> PathBuf {
    snap.dir.path().join("server.dump")
}

/// The URL of the same PostgreSQL server's `postgres` database, and the database's name.
fn admin_url(url: &str) -> (String, String) {
    let (base, name) = url.rsplit_once('/').expect("a database URL with a name");
    (format!("{base}/postgres"), name.to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("a file name"))).expect("copy");
        }
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
