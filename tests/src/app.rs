//! Driving the built app: the processes around it (a virtual X display, tauri-driver and
//! its WebKitWebDriver) and WebDriver helpers keyed on the UI's `data-testid` hooks. Shared
//! by the app's end-to-end test and its benchmark.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long a screen may take to show what is awaited.
pub const WAIT: Duration = Duration::from_secs(30);

/// A program on the PATH (or in cargo's bin folder).
pub fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The app and the WebDriver server in front of it.
pub struct Tools {
    pub app: PathBuf,
    pub driver: PathBuf,
}

/// What driving the app needs, or why it cannot run here.
pub fn tools() -> Result<Tools, String> {
    let app = crate::built("njia-app").ok_or("njia-app is not built (cargo build -p njia-app)")?;
    let driver = which("tauri-driver").ok_or("tauri-driver is not installed")?;
    which("WebKitWebDriver").ok_or("WebKitWebDriver is not installed (webkit2gtk-driver)")?;
    if std::env::var_os("DISPLAY").is_none() {
        which("Xvfb").ok_or("no display and no Xvfb")?;
    }
    Ok(Tools { app, driver })
}

/// A child process killed when the test ends, however it ends.
pub struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process killed with everything it started when the test ends (tauri-driver leaves its
/// WebKitWebDriver and the app behind when killed alone).
pub struct KilledTree(Child);

impl KilledTree {
    fn spawn(cmd: &mut Command) -> Self {
        Self(cmd.spawn().expect("spawn"))
    }
}

/// The processes started by `pid`, and theirs, from /proc.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: the name may hold spaces, so read after its ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((child, ppid));
        }
    }
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found.remove(0);
    found
}

impl Drop for KilledTree {
    fn drop(&mut self) {
        let tree = descendants(self.0.id());
        let _ = self.0.kill();
        let _ = self.0.wait();
        for pid in tree.into_iter().filter(|p| *p > 1) {
            let _ = crate::output_within(
                Command::new("kill").args(["-KILL", &pid.to_string()]),
                None,
                crate::timeout(),
            );
        }
    }
}

/// A virtual X display of our own, or the one the test runs in.
pub fn display() -> (String, Option<Killed>) {
    if let Some(d) = std::env::var_os("DISPLAY") {
        return (d.to_string_lossy().into_owned(), None);
    }
    let n = (90..200)
        .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .expect("a free X display number");
    let child = Command::new("Xvfb")
        .arg(format!(":{n}"))
        .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let start = Instant::now();
    while !Path::new(&socket).exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!(":{n}"), Some(Killed(child)))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < WAIT,
            "tauri-driver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn css(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

pub async fn find(c: &Client, id: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&css(id)))
        .await
        .unwrap_or_else(|e| panic!("no element {id}: {e}"))
}

pub async fn click(c: &Client, id: &str) {
    find(c, id)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {id}: {e}"));
}

pub async fn type_into(c: &Client, id: &str, text: &str) {
    let e = find(c, id).await;
    e.clear().await.ok();
    e.send_keys(text)
        .await
        .unwrap_or_else(|err| panic!("type into {id}: {err}"));
}

/// The element's text content, whether or not it is rendered as text at this width (the
/// tab bar of a phone-sized window shows icons with the words for screen readers).
pub async fn text_of(c: &Client, id: &str) -> String {
    find(c, id)
        .await
        .prop("textContent")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Polls until `id`'s text satisfies `ok`, returning it; fails with the last text seen.
pub async fn wait_text(c: &Client, id: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let t = text_of(c, id).await;
        if ok(t.trim()) {
            return t.trim().to_string();
        }
        assert!(start.elapsed() < WAIT, "{id} still says {t:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A running app under WebDriver, with the processes around it; all killed on drop.
pub struct App {
    pub client: Client,
    pub display: String,
    /// The tauri-driver process (the app is among its descendants).
    pub driver_pid: u32,
    /// When the WebDriver session was asked for, which launches the app.
    pub launched_at: Instant,
    _driver: KilledTree,
    _home: tempfile::TempDir,
    _xvfb: Option<Killed>,
}

impl App {
    /// Starts the app on the store at `db` (`env` is passed to it, e.g. `NJIA_WINDOW_SIZE`)
    /// and opens a WebDriver session with it. The webview's storage is fresh (so the UI
    /// starts in English, as on a new install).
    pub async fn start(tools: &Tools, db: &Path, env: &[(&str, &str)]) -> App {
        let (display, xvfb) = display();
        let home = tempfile::tempdir().expect("tempdir");
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new(&tools.driver);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display)
        .env("NJIA_DB", db)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("LANG", "en_US.UTF-8")
        .env("LANGUAGE", "en")
        .env("GDK_BACKEND", "x11")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let driver = KilledTree::spawn(&mut cmd);
        wait_for_port(port);
        let launched_at = Instant::now();
        let client = session(tools, port).await;
        App {
            client,
            display,
            driver_pid: driver.0.id(),
            launched_at,
            _driver: driver,
            _home: home,
            _xvfb: xvfb,
        }
    }

    /// Proportional memory (PSS, in KiB) of the app and its webview processes: what they
    /// cost the device, shared pages split fairly. The drivers are left out.
    pub fn memory_kib(&self) -> u64 {
        self.memory_by_process().iter().map(|(_, k)| k).sum()
    }

    /// [`App::memory_kib`] process by process, by name.
    pub fn memory_by_process(&self) -> Vec<(String, u64)> {
        descendants(self.driver_pid)
            .into_iter()
            .map(|pid| {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                (comm.trim().to_string(), pss_kib(pid))
            })
            .filter(|(comm, _)| !comm.starts_with("WebKitWebDriver"))
            .collect()
    }
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A WebDriver session with the app. tauri-driver listens before its WebKitWebDriver does,
/// so the first tries may fail.
async fn session(tools: &Tools, port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": tools.app }),
    );
    let mut tries = 0;
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(e) if tries < 10 => {
                tries += 1;
                eprintln!("no WebDriver session yet ({e}); trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("no WebDriver session with the app: {e}"),
        }
    }
}
