//! Child processes of the tests, each with a deadline. A `njia` or `njia-server` that hangs
//! (a sync waiting on a stalled socket, a lock never released, an import that never ends)
//! would otherwise hold the whole test run until CI's own limit, with no word of which
//! command it was; here it is killed and the test fails naming the command and showing what
//! it printed.

use std::io::{ErrorKind, Read, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The environment variable that overrides [`timeout`], in whole seconds.
pub const TIMEOUT_VAR: &str = "NJIA_E2E_TIMEOUT_SECS";

/// How long one child process of a test may run: `NJIA_E2E_TIMEOUT_SECS`, else 120 s, which
/// is far above the slowest command of the suite (an import of 100k services in a debug
/// build) and far below what a CI job allows.
pub fn timeout() -> Duration {
    timeout_from(std::env::var(TIMEOUT_VAR).ok().as_deref())
}

fn timeout_from(var: Option<&str>) -> Duration {
    match var {
        None => Duration::from_secs(120),
        Some(text) => match text.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Duration::from_secs(secs),
            _ => panic!("{TIMEOUT_VAR}={text:?} is not a whole number of seconds above 0"),
        },
    }
}

/// Runs `cmd` to its end with `stdin` fed in (none: `/dev/null`), capturing its output, as
/// [`Command::output`] does, but kills it and panics with its command line and what it printed
/// if it is still running after `deadline`.
///
/// # Errors
/// When the program cannot be started (not installed, not built).
pub fn output_within(
    cmd: &mut Command,
    stdin: Option<&[u8]>,
    deadline: Duration,
) -> std::io::Result<Output> {
    let line = format!("{cmd:?}");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    // Written from a thread: a child that prints before it reads would otherwise fill its
    // pipe while the test is still writing, and neither would move.
    let writer = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_vec();
            Some(thread::spawn(move || match pipe.write_all(&input) {
                // A child that exits without reading all of its input is not the test's
                // failure to report; its exit status and output say what happened.
                Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(e),
                _ => Ok(()),
            }))
        }
        _ => None,
    };
    let stdout = Collector::start(child.stdout.take());
    let stderr = Collector::start(child.stderr.take());
    let status = wait_until(&mut child, Instant::now() + deadline);
    let Some(status) = status else {
        let pid = child.id();
        let _ = child.kill();
        let _ = child.wait();
        // The pipes close with the process; a grandchild holding them gets a short grace.
        let grace = Duration::from_secs(1);
        panic!(
            "{line} (pid {pid}) was still running after {deadline:?} ({TIMEOUT_VAR} sets the \
             deadline): killed\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&stdout.finish(grace)),
            String::from_utf8_lossy(&stderr.finish(grace)),
        );
    };
    if let Some(writer) = writer {
        writer
            .join()
            .expect("the stdin writer")
            .unwrap_or_else(|e| panic!("{line}: cannot write its stdin: {e}"));
    }
    let grace = Duration::from_secs(5);
    Ok(Output {
        status,
        stdout: stdout.finish(grace),
        stderr: stderr.finish(grace),
    })
}

/// Waits for a child the test started itself (one it may kill at a chosen moment), killing
/// it and panicking with `what` if it is still running after `deadline`.
pub fn wait_within(child: &mut Child, what: &str, deadline: Duration) -> ExitStatus {
    match wait_until(child, Instant::now() + deadline) {
        Some(status) => status,
        None => {
            let pid = child.id();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what} (pid {pid}) was still running after {deadline:?} ({TIMEOUT_VAR} sets \
                 the deadline): killed"
            )
        }
    }
}

/// The exit status, or `None` once `until` has passed with the child still running.
fn wait_until(child: &mut Child, until: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            Err(e) => panic!("cannot wait for pid {}: {e}", child.id()),
        }
        let now = Instant::now();
        if now >= until {
            return None;
        }
        // Short commands are answered within a few milliseconds; long ones are polled less.
        thread::sleep(pause.min(until - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Reads a pipe to its end on a thread, keeping what came so far where a killed child's
/// output can still be shown.
struct Collector {
    bytes: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Collector {
    fn start(pipe: Option<impl Read + Send + 'static>) -> Self {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = mpsc::channel();
        let sink = Arc::clone(&bytes);
        thread::spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut chunk = [0u8; 8192];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    sink.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&chunk[..n]);
                }
            }
            let _ = tx.send(());
        });
        Self { bytes, done }
    }

    /// What was read, once the pipe has ended or `grace` has passed.
    fn finish(self, grace: Duration) -> Vec<u8> {
        let _ = self.done.recv_timeout(grace);
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    }

    #[test]
    fn the_deadline_is_120_s_unless_the_variable_says_otherwise() {
        assert_eq!(timeout_from(None), Duration::from_secs(120));
        assert_eq!(timeout_from(Some(" 600 ")), Duration::from_secs(600));
        for bad in ["0", "", "2m", "-5"] {
            let text =
                panic_text(std::panic::catch_unwind(|| timeout_from(Some(bad))).expect_err(bad));
            assert!(
                text.contains("NJIA_E2E_TIMEOUT_SECS") && text.contains("seconds"),
                "{bad}: {text}"
            );
        }
    }

    #[test]
    fn a_child_past_its_deadline_is_killed_promptly_and_named() {
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| {
            output_within(
                Command::new("sh").args(["-c", "echo started; echo warming >&2; exec sleep 30"]),
                None,
                Duration::from_secs(1),
            )
        });
        let took = started.elapsed();
        let text = panic_text(outcome.expect_err("a child past its deadline must panic"));
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert!(took >= Duration::from_secs(1), "took {took:?}");
        assert!(text.contains("\"sh\" \"-c\""), "{text}");
        assert!(text.contains("was still running after 1s"), "{text}");
        assert!(text.contains("stdout: started\n"), "{text}");
        assert!(text.contains("stderr: warming\n"), "{text}");
        let pid = text
            .split("(pid ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .expect("the pid in the message");
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "pid {pid} still exists"
        );
    }

    #[test]
    fn a_child_within_its_deadline_gives_its_output_and_status() {
        let out = output_within(
            Command::new("sh").args(["-c", "cat; echo done >&2; exit 3"]),
            Some(b"hello"),
            Duration::from_secs(30),
        )
        .expect("sh");
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"done\n");
    }

    #[test]
    fn a_program_that_is_not_there_is_an_error_not_a_hang() {
        let err = output_within(
            &mut Command::new("/nonexistent/njia"),
            None,
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn wait_within_kills_a_child_it_was_given() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep");
        let pid = child.id();
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            wait_within(&mut child, "sleep 30", Duration::from_millis(300))
        }));
        assert!(started.elapsed() < Duration::from_secs(3));
        let text = panic_text(outcome.expect_err("must panic"));
        assert!(
            text.starts_with(&format!("sleep 30 (pid {pid}) was still running")),
            "{text}"
        );
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
