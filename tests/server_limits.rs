//! The server under slow, many and heavy clients, as a real process on loopback: half-sent
//! requests from one address do not keep it from answering others and are closed after the
//! header timeout; a stalled body is answered 408; many parallel pushes of large bodies
//! stay within a bounded memory; the data folder and database are private to their owner.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use njia_e2e::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

fn address(server: &Server) -> SocketAddr {
    server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the server's address")
}

/// One HTTP/1.1 request on its own connection, read to the end: the status and body.
fn request(addr: SocketAddr, head: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Ok((status, body))
}

fn health(addr: SocketAddr) -> std::io::Result<(u16, String)> {
    request(
        addr,
        "GET /api/v1/health HTTP/1.1\r\nHost: njia\r\nConnection: close\r\n\r\n",
        b"",
    )
}

/// A connection from `source` (another loopback address, as another client would be) that
/// sends the start of a request's headers and then nothing.
async fn half_sent(source: &str, to: SocketAddr) -> Option<tokio::net::TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket
        .bind(format!("{source}:0").parse().expect("source"))
        .ok()?;
    let mut stream = socket.connect(to).await.ok()?;
    stream
        .write_all(b"POST /api/v1/sync HTTP/1.1\r\nHost: njia\r\nX-Slow: ")
        .await
        .ok()?;
    Some(stream)
}

#[test]
fn half_sent_requests_do_not_keep_the_server_from_answering_and_are_closed() {
    let server = Server::start_with(
        None,
        &[
            "--header-timeout",
            "2",
            "--max-connections-per-address",
            "40",
        ],
    );
    let addr = address(&server);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut held = Vec::new();
        for _ in 0..300 {
            if let Some(s) = half_sent("127.0.0.2", addr).await {
                held.push(s);
            }
        }
        assert!(!held.is_empty(), "no slow connection could be opened");
        // While 300 half-sent requests are open, another client is answered at once.
        let started = Instant::now();
        let (status, body) = tokio::task::spawn_blocking(move || health(addr))
            .await
            .expect("join")
            .expect("health answers during the attack");
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "health took {:?}",
            started.elapsed()
        );
        // Past the header timeout, the server has closed every one of them (a read sees
        // the end of the stream or a reset, never a hang).
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut closed = 0;
        for s in &mut held {
            let mut buf = [0u8; 256];
            match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
                Ok(Ok(_)) | Ok(Err(_)) => closed += 1,
                Err(_) => {}
            }
        }
        assert_eq!(closed, held.len(), "half-sent requests still open");
    });
}

#[test]
fn a_body_that_stops_arriving_is_answered_408_and_health_still_answers() {
    let server = Server::start_with(None, &["--body-timeout", "1"]);
    let addr = address(&server);
    let started = Instant::now();
    let (status, body) = request(
        addr,
        "POST /api/v1/enroll HTTP/1.1\r\nHost: njia\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
        b"{\"code\": \"K7QM",
    )
    .expect("an answer");
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("\"code\":\"timeout\""), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(health(addr).expect("health").0, 200);
}

/// The peak resident memory of a process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

#[test]
fn parallel_pushes_of_large_bodies_stay_within_bounded_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read the server's memory from");
        return;
    }
    let server = Server::start(None);
    let addr = address(&server);
    let code = server.enrollment_code("memory", "load", "KE", "worker");
    let (status, body) = request(
        addr,
        &format!(
            "POST /api/v1/enroll HTTP/1.1\r\nHost: njia\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            format!("{{\"code\":\"{code}\"}}").len()
        ),
        format!("{{\"code\":\"{code}\"}}").as_bytes(),
    )
    .expect("enrol");
    assert_eq!(status, 200, "{body}");
    let enrolled: serde_json::Value = serde_json::from_str(&body).expect("enrolment JSON");
    let device = enrolled["device_id"]
        .as_str()
        .expect("device_id")
        .to_string();
    let token = enrolled["token"].as_str().expect("token").to_string();
    let node = device.replace('-', "");
    let before = peak_rss_kib(server.pid());

    // Many operations with large notes, compressed well: one push just under the decoded
    // limit (4 MB of JSON, parsed whole) and one of 15 MB (as a hostile device sent, refused
    // once 4 MB are decoded), 48 of each at once.
    let op = |idx: usize| {
        format!(
            r#"{{"device_id":"{device}","idx":{idx},"op_id":"00000000-0000-4000-8000-{idx:012}","hlc":"001764000000000-0000000000-{node}","kind":"session.create","entity_id":"00000000-0000-4000-9000-{idx:012}","payload":{{"notes":"{}"}}}}"#,
            "n".repeat(300)
        )
    };
    let pushes = |json_bytes: usize| -> Vec<u16> {
        let mut json = String::from(r#"{"cursor":0,"ops":["#);
        let mut idx = 1;
        while json.len() < json_bytes {
            if idx > 1 {
                json.push(',');
            }
            json.push_str(&op(idx));
            idx += 1;
        }
        json.push_str("]}");
        let body = zstd::encode_all(json.as_bytes(), 3).expect("zstd");
        let head = format!(
            "POST /api/v1/sync HTTP/1.1\r\nHost: njia\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Encoding: zstd\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        eprintln!(
            "48 pushes of {} KB zstd, {} KB of JSON, {} operations",
            body.len() / 1024,
            json.len() / 1024,
            idx - 1
        );
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..48)
                .map(|_| scope.spawn(|| request(addr, &head, &body).map(|(s, _)| s).unwrap_or(0)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("join"))
                .collect()
        })
    };
    let under = pushes(3_900_000);
    let over = pushes(15_000_000);
    let peak = peak_rss_kib(server.pid());
    eprintln!(
        "server peak RSS {} MB (was {} MB before); answers {under:?} {over:?}",
        peak / 1024,
        before / 1024
    );
    assert!(
        under.iter().all(|s| *s == 422 || *s == 503),
        "a protocol-1 push of invalid operations is refused whole, or waits: {under:?}"
    );
    assert!(
        over.iter().all(|s| *s == 413 || *s == 503),
        "past the decoded limit: {over:?}"
    );
    assert!(
        peak < 250 * 1024,
        "the server's peak RSS was {} MB",
        peak / 1024
    );
    assert_eq!(health(addr).expect("health").0, 200);
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("tempdir");
    let data = parent.path().join("office");
    let out = std::process::Command::new(njia_e2e::bin("njia-server"))
        .arg("--data")
        .arg(&data)
        .args(["devices", "list", "--json"])
        .output()
        .expect("run njia-server");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data folder");
    for entry in std::fs::read_dir(&data).expect("read_dir") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert!(data.join("njia-server.db").exists());
}

/// Control characters and direction overrides a device sends (in a correction's note, a
/// session's place, its device label) reach the office's terminal escaped, never raw.
#[test]
fn device_text_reaches_a_staff_terminal_escaped() {
    let server = Server::start(None);
    server.import_demo(20, 4);
    let amina = server.enrolled("Amina", "eastleigh", "worker");
    amina.run(&["sync"]).ok();
    // A service of the device's region, as it holds it.
    let near = amina
        .run(&[
            "near",
            "--lat",
            "-1.2741",
            "--lon",
            "36.8516",
            "--radius-km",
            "5000",
            "--json",
        ])
        .ok()
        .json();
    let service = near[0]["id"].as_str().expect("a service near").to_string();
    let hostile = "\u{1b}[2J\u{1b}[31mserver compromised\u{202e}txt.exe\u{9b}0m";
    amina
        .run(&[
            "correct",
            &service,
            "--field",
            "phone",
            "--value",
            "+254 700 000000",
            "--note",
            hostile,
        ])
        .ok();
    amina.log(&serde_json::json!({
        "started_at": "2026-11-20T09:30:00+03:00", "place": hostile,
        "lat": -1.2741, "lon": 36.8516, "activity": "health_talk", "topics": ["hiv"],
        "reached": [{"sex": "female", "age": "18-49", "group": "migrant", "count": 3}],
        "status": "final", "admin_area": hostile}));
    amina.run(&["sync"]).ok();
    for args in [
        &["corrections", "list"][..],
        &["outreach", "list"],
        &["report", "reached", "--by", "area"],
        &["devices", "list"],
    ] {
        let out = server.admin(args).ok().stdout;
        for bad in ['\u{1b}', '\u{202e}', '\u{9b}'] {
            assert!(
                !out.contains(bad),
                "`njia-server {}` printed {bad:?} raw: {out:?}",
                args.join(" ")
            );
        }
    }
    let corrections = server.admin(&["corrections", "list"]).ok().stdout;
    assert!(
        corrections.contains("\\u{1b}[2J"),
        "the note is shown, escaped: {corrections}"
    );
}
