//! A TCP proxy for tests that makes loopback behave like a field connection: latency each
//! way, a bandwidth cap, and connections cut after some bytes or at random. It forwards
//! real bytes between real processes; nothing of Njia is faked.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How the link misbehaves; change it at any time through [`FaultyProxy::set`].
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every chunk in each direction (half the round trip).
    pub latency: Duration,
    /// Bandwidth cap in bytes per second, each direction; `None`: unlimited.
    pub bytes_per_sec: Option<u64>,
    /// Cut each connection after this many bytes in either direction.
    pub cut_after: Option<u64>,
    /// Cut a connection at a random point with this probability (0.0..=1.0), deterministic
    /// from `seed`.
    pub random_cut: f64,
    /// Cut each of the first this-many connections at a random point, whatever `random_cut`.
    pub cut_first: u64,
    pub seed: u64,
    /// Refuse new connections (no network at all).
    pub refuse: bool,
    /// Pass each request whole to the server and close the connection as its answer starts
    /// coming back: the server did the work, the client never hears of it.
    pub drop_answers: bool,
}

/// A running proxy in front of `upstream`.
pub struct FaultyProxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    stop: Arc<AtomicBool>,
    /// Connections accepted so far.
    pub connections: Arc<AtomicU64>,
    /// Connections cut on purpose so far.
    pub cuts: Arc<AtomicU64>,
    /// Bytes relayed client → server and server → client, headers included.
    pub bytes_up: Arc<AtomicU64>,
    pub bytes_down: Arc<AtomicU64>,
}

impl FaultyProxy {
    pub fn start(upstream: SocketAddr, faults: Faults) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let faults = Arc::new(Mutex::new(faults));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicU64::new(0));
        let cuts = Arc::new(AtomicU64::new(0));
        let bytes_up = Arc::new(AtomicU64::new(0));
        let bytes_down = Arc::new(AtomicU64::new(0));
        let (f, s, c, k) = (
            faults.clone(),
            stop.clone(),
            connections.clone(),
            cuts.clone(),
        );
        let (up, down) = (bytes_up.clone(), bytes_down.clone());
        thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let n = c.fetch_add(1, Ordering::Relaxed);
                        let faults = f.lock().expect("faults").clone();
                        if faults.refuse {
                            let _ = client.shutdown(Shutdown::Both);
                            continue;
                        }
                        let counters = Counters {
                            cuts: k.clone(),
                            up: up.clone(),
                            down: down.clone(),
                        };
                        thread::spawn(move || relay(client, upstream, faults, n, counters));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            addr,
            faults,
            stop,
            connections,
            cuts,
            bytes_up,
            bytes_down,
        }
    }

    /// The URL devices should use instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the faults for connections opened from now on.
    pub fn set(&self, faults: Faults) {
        *self.faults.lock().expect("faults") = faults;
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What the relays count.
struct Counters {
    cuts: Arc<AtomicU64>,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

/// A small deterministic generator (splitmix64), so a failing run can be replayed.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn relay(client: TcpStream, upstream: SocketAddr, faults: Faults, n: u64, counters: Counters) {
    let Ok(server) = TcpStream::connect(upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let r = splitmix(faults.seed ^ n.wrapping_mul(0x1000_0001));
    let random_cut =
        n < faults.cut_first || (r % 1_000_000) as f64 / 1_000_000.0 < faults.random_cut;
    let cut_down = match (faults.cut_after, random_cut) {
        (Some(c), _) => Some(c),
        (None, true) => Some(200 + splitmix(r) % 4_000),
        (None, false) => None,
    };
    let (cut_up, cut_down) = if faults.drop_answers {
        (None, Some(0))
    } else {
        (cut_down, cut_down)
    };
    let (c2, s2) = match (client.try_clone(), server.try_clone()) {
        (Ok(c), Ok(s)) => (c, s),
        _ => return,
    };
    let up = {
        let f = faults.clone();
        let bytes = counters.up.clone();
        let cuts = counters.cuts.clone();
        // The same cut point applies to the upload: a request can die mid-body too.
        thread::spawn(move || pump(c2, s2, &f, cut_up, Some(cuts), &bytes))
    };
    pump(
        server,
        client,
        &faults,
        cut_down,
        Some(counters.cuts),
        &counters.down,
    );
    let _ = up.join();
}

/// Copies `from` → `to` through a delay line and a rate limit, cutting after `cut` bytes.
fn pump(
    from: TcpStream,
    mut to: TcpStream,
    f: &Faults,
    cut: Option<u64>,
    cuts: Option<Arc<AtomicU64>>,
    bytes: &AtomicU64,
) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let reader = {
        let mut from2 = match from.try_clone() {
            Ok(s) => s,
            Err(_) => return,
        };
        thread::spawn(move || {
            let mut buf = [0u8; 1024];
            loop {
                match from2.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => {
                        if tx.send((Instant::now(), buf[..k].to_vec())).is_err() {
                            break;
                        }
                    }
                }
            }
        })
    };
    let mut sent = 0u64;
    for (at, chunk) in rx {
        let due = at + f.latency;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        let mut chunk = chunk;
        if let Some(limit) = cut {
            if sent + chunk.len() as u64 >= limit {
                chunk.truncate((limit - sent) as usize);
                let _ = to.write_all(&chunk);
                bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if let Some(c) = &cuts {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                break;
            }
        }
        if let Some(bps) = f.bytes_per_sec {
            thread::sleep(Duration::from_secs_f64(chunk.len() as f64 / bps as f64));
        }
        if to.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len() as u64;
        bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
    let _ = reader.join();
}
