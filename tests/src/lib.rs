//! Helpers for end-to-end tests: find the workspace's built binaries and run them in a
//! throwaway folder with their own store.

pub mod app;
mod child;
pub mod proxy;
pub mod restore;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use child::{output_within, timeout, wait_within, TIMEOUT_VAR};

/// A binary of the workspace. `scripts/test` builds them (`cargo build --workspace --bins`)
/// before `cargo test`, since cargo builds another package's binaries only for its own tests.
pub fn bin(name: &str) -> PathBuf {
    built(name).unwrap_or_else(|| {
        panic!("{name} is not built: run `cargo build --workspace --bins` (or scripts/test) first")
    })
}

/// A binary of the workspace if it is built: debug first, or release first when
/// NJIA_E2E_PROFILE=release (the benchmarks run optimised binaries).
pub fn built(name: &str) -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let profiles = match std::env::var("NJIA_E2E_PROFILE").as_deref() {
        Ok("release") => ["release", "debug"],
        _ => ["debug", "release"],
    };
    profiles
        .iter()
        .map(|p| target.join(p).join(name))
        .find(|p| p.exists())
}

/// `../shared/data` beside the repository (the open data of `shared/data/README.md`), when
/// this checkout has it. Absent, the tests that read it say so and pass, except on CI (`CI`
/// set), which puts `shared/` beside its clone: there the folder missing is a broken setup,
/// and the test fails instead of passing without having read it.
pub fn shared_data() -> Option<PathBuf> {
    let on_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    shared_data_in(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
        on_ci,
    )
}

fn shared_data_in(dir: PathBuf, on_ci: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !on_ci,
        "CI is set but the shared data folder {} is absent: CI must check shared/ out beside \
         the repository",
        dir.display()
    );
    eprintln!("skipped: {} absent", dir.display());
    None
}

/// A running `njia-server` on a loopback port with its own data folder; killed on drop.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub url: String,
    database_url: Option<String>,
    serve_args: Vec<String>,
    child: std::process::Child,
}

impl Server {
    /// Starts `njia-server serve` on a free port (SQLite in a temporary data folder, or the
    /// database of `database_url`) and waits until it listens.
    pub fn start(database_url: Option<&str>) -> Self {
        Self::start_with(database_url, &[])
    }

    /// Like [`Server::start`], with more arguments to `serve` (`--tls-cert …`).
    pub fn start_with(database_url: Option<&str>, serve_args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let serve_args: Vec<String> = serve_args.iter().map(|a| a.to_string()).collect();
        let (child, url) = spawn_server(dir.path(), database_url, "127.0.0.1:0", &serve_args)
            .unwrap_or_else(|e| panic!("{e}"));
        Self {
            dir,
            url,
            database_url: database_url.map(str::to_string),
            serve_args,
            child,
        }
    }

    /// Kills the server with SIGKILL — no graceful shutdown, as a crash, the OOM killer or a
    /// power cut of the process would — then starts it again on the same address and
    /// storage, and waits until it listens.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let addr = self
            .url
            .split("://")
            .nth(1)
            .expect("the server's address")
            .to_string();
        // The port is free again as soon as the process is gone; a few tries cover a slow
        // release of the socket.
        let mut last = String::new();
        for _ in 0..50 {
            match spawn_server(
                self.dir.path(),
                self.database_url.as_deref(),
                &addr,
                &self.serve_args,
            ) {
                Ok((child, url)) => {
                    assert_eq!(url, self.url, "the server came back elsewhere");
                    self.child = child;
                    return;
                }
                Err(e) => {
                    last = e;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        panic!("njia-server did not come back on {addr}: {last}");
    }

    /// The server process's id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Runs an admin command (`njia-server --data <dir> [--database-url …] args…`) on the
    /// server's storage.
    pub fn admin(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(bin("njia-server"));
        cmd.arg("--data").arg(self.dir.path());
        if let Some(url) = &self.database_url {
            cmd.arg("--database-url").arg(url);
        }
        cmd.args(args).env("NJIA_LOG", "warn");
        let out = output_within(&mut cmd, None, timeout()).expect("run njia-server");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A one-time enrolment code for a worker.
    pub fn enrollment_code(&self, worker: &str, team: &str, regions: &str, role: &str) -> String {
        let r = self
            .admin(&[
                "enroll", "--worker", worker, "--team", team, "--region", regions, "--role", role,
                "--json",
            ])
            .ok();
        r.json()["code"].as_str().expect("code").to_string()
    }

    /// Publishes a demo directory of `services` services (seed `seed`, as `njia demo-data`
    /// makes it) through `njia-server import`; the file stays in the server's data folder.
    pub fn import_demo(&self, services: usize, seed: u64) -> PathBuf {
        let directory = self.dir.path().join("dir.geojson");
        let path = directory.to_str().expect("a UTF-8 path");
        Device::new()
            .run(&[
                "demo-data",
                "--services",
                &services.to_string(),
                "--seed",
                &seed.to_string(),
                "--out",
                path,
            ])
            .ok();
        self.admin(&["import", path]).ok();
        directory
    }

    /// A new device enrolled with this server for a worker of `team` with `role`, in the
    /// region of the tests' directories (Kenya), not yet synced.
    pub fn enrolled(&self, worker: &str, team: &str, role: &str) -> Device {
        let device = Device::new();
        let code = self.enrollment_code(worker, team, "KE", role);
        device
            .run(&["enroll", "--server", &self.url, "--code", &code])
            .ok();
        device
    }
}

/// Runs `test` against a server on a fresh PostgreSQL database named after `tag`, dropped
/// after the server has stopped; nothing when `NJIA_SKIP_POSTGRES=1` (see
/// [`PostgresDatabase::fresh`]).
pub fn on_postgresql(tag: &str, test: impl FnOnce(&Server)) {
    let Some(db) = PostgresDatabase::fresh(tag) else {
        return;
    };
    let server = Server::start(Some(&db.url));
    test(&server);
    drop(server);
}

/// Starts `njia-server serve` and reads where it listens from its first line of output,
/// within [`timeout`].
fn spawn_server(
    data: &Path,
    database_url: Option<&str>,
    listen: &str,
    serve_args: &[String],
) -> Result<(std::process::Child, String), String> {
    use std::io::BufRead;
    let mut cmd = Command::new(bin("njia-server"));
    cmd.arg("--data").arg(data);
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.args(["serve", "--listen", listen])
        .args(serve_args)
        .env("NJIA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().map_err(|e| format!("spawn njia-server: {e}"))?;
    let stdout = child.stdout.take().expect("stdout");
    let (tx, first_line) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let deadline = timeout();
    let line = match first_line.recv_timeout(deadline) {
        Ok(line) => line,
        Err(_) => {
            let pid = child.id();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} (pid {pid}) did not say where it listens within {deadline:?} \
                 ({TIMEOUT_VAR} sets the deadline): killed (its stderr is above)"
            );
        }
    };
    match line.trim().strip_prefix("listening on ") {
        Some(url) => Ok((child, url.to_string())),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!(
                "njia-server did not say where it listens: {line:?}"
            ))
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database of its own on the test PostgreSQL server (`NJIA_TEST_DATABASE_URL`, by
/// default postgres://postgres@127.0.0.1:5432/postgres), made with `psql` and dropped on
/// drop, for running a server on PostgreSQL.
pub struct PostgresDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PostgresDatabase {
    /// A fresh, empty database named after `tag` and this process; `None` when
    /// `NJIA_SKIP_POSTGRES=1`.
    pub fn fresh(tag: &str) -> Option<Self> {
        if std::env::var("NJIA_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
            eprintln!("skipped: NJIA_SKIP_POSTGRES=1");
            return None;
        }
        let admin_url = std::env::var("NJIA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("njia_e2e_{tag}_{}", std::process::id());
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("NJIA_TEST_DATABASE_URL has no database name: {admin_url}"),
        };
        let db = Self {
            url,
            admin_url,
            name,
        };
        db.psql(&format!("DROP DATABASE IF EXISTS {}", db.name));
        db.psql(&format!("CREATE DATABASE {}", db.name));
        Some(db)
    }

    fn psql(&self, sql: &str) {
        let out = output_within(
            Command::new("psql").args([
                self.admin_url.as_str(),
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql,
            ]),
            None,
            timeout(),
        )
        .expect("psql (the PostgreSQL client; scripts/setup installs it)");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        self.psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// A device: the `njia` binary with its own store in a temporary folder.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub passphrase: String,
}

/// What a command did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The standard output parsed as JSON; panics with the command's output if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}):\nstdout: {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts success and returns the standard output as a JSON array (a `--json` list).
    pub fn rows(self) -> Vec<serde_json::Value> {
        match self.ok().json() {
            serde_json::Value::Array(rows) => rows,
            other => panic!("not a JSON array: {other:#}"),
        }
    }

    /// Asserts success and returns self.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts failure with a message containing `words`, and nothing on stdout.
    pub fn fails_with(self, words: &str) -> Self {
        assert_ne!(self.code, 0, "should have failed:\nstdout: {}", self.stdout);
        assert!(
            self.stderr.contains(words),
            "wanted {words:?} in stderr: {}",
            self.stderr
        );
        self
    }
}

impl Default for Device {
    fn default() -> Self {
        Self::new()
    }
}

impl Device {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            passphrase: "e2e passphrase".into(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("njia.db")
    }

    /// Writes a file in the device's folder and returns its path.
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write file");
        p
    }

    /// Runs `njia --db <store> args…`, with `stdin` fed in, within [`timeout`].
    pub fn run_with(&self, args: &[&str], stdin: Option<&str>, passphrase: &str) -> Run {
        self.run_wrapped(&[], args, stdin, passphrase)
    }

    /// Runs `njia` under a wrapper program (`wrapper[0]`, with its own arguments before
    /// `njia`), such as `faketime -f +1095d` for a phone whose clock is wrong.
    pub fn run_wrapped(
        &self,
        wrapper: &[&str],
        args: &[&str],
        stdin: Option<&str>,
        passphrase: &str,
    ) -> Run {
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(bin("njia"));
                c
            }
            None => Command::new(bin("njia")),
        };
        cmd.arg("--db")
            .arg(self.db())
            .args(args)
            .env("NJIA_PASSPHRASE", passphrase)
            .env_remove("NJIA_DB");
        let out = output_within(&mut cmd, stdin.map(str::as_bytes), timeout()).expect("spawn njia");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None, &self.passphrase)
    }

    /// Records an outreach session (`njia log add`, the JSON of DESIGN §5) and returns its id.
    pub fn log(&self, session: &serde_json::Value) -> String {
        self.run_with(
            &["log", "add", "--file", "-"],
            Some(&session.to_string()),
            &self.passphrase,
        )
        .ok()
        .stdout
        .trim()
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_data_absent_skips_locally_and_fails_on_ci() {
        let dir = tempfile::tempdir().expect("tempdir");
        let absent = dir.path().join("shared/data");
        assert_eq!(shared_data_in(absent.clone(), false), None);
        let on_ci = std::panic::catch_unwind(|| shared_data_in(absent.clone(), true));
        assert!(on_ci.is_err(), "CI without shared/ must fail the test");
        std::fs::create_dir_all(&absent).expect("mkdir");
        assert_eq!(shared_data_in(absent.clone(), true), Some(absent));
    }
}
