//! What keeps one client, or one hostile holder of a device token, from taking the server
//! away from everyone else: a cap on open connections (in all and per address), a cap on
//! sync rounds running at once (each holds its request body in memory), a per-device quota
//! of what it may store in a day, and a throttle on wrong enrolment codes per address.
//! Timeouts on reading headers and bodies are set where the server is built (`main.rs`,
//! [`crate::router`]). The numbers are in [`crate::Config`] and `docs/security.md`.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::error::HttpError;

/// Open connections, counted in all and per peer address.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    inner: Arc<ConnectionCount>,
}

#[derive(Debug)]
struct ConnectionCount {
    max_total: usize,
    /// 0: no per-address cap (behind a proxy every connection comes from one address).
    max_per_address: usize,
    open: Mutex<Open>,
    /// Refusals since the last warning, and when it was: a flood is logged once a minute,
    /// not once per connection.
    refused: Mutex<(u64, Option<Instant>)>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl ConnectionLimit {
    pub fn new(max_total: usize, max_per_address: usize) -> Self {
        Self {
            inner: Arc::new(ConnectionCount {
                max_total: max_total.max(1),
                max_per_address,
                open: Mutex::new(Open::default()),
                refused: Mutex::new((0, None)),
            }),
        }
    }

    /// A slot for a connection from `peer`, or `None` when it would pass a cap.
    pub fn admit(&self, peer: Option<IpAddr>) -> Option<ConnectionSlot> {
        let mut open = self.inner.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.total >= self.inner.max_total {
            return None;
        }
        if let Some(ip) = peer {
            let held = open.by_address.get(&ip).copied().unwrap_or(0);
            if self.inner.max_per_address > 0 && held >= self.inner.max_per_address {
                return None;
            }
            open.by_address.insert(ip, held + 1);
        }
        open.total += 1;
        Some(ConnectionSlot {
            limit: self.inner.clone(),
            peer,
        })
    }

    fn note_refusal(&self, peer: Option<IpAddr>) {
        let mut refused = self.inner.refused.lock().unwrap_or_else(|p| p.into_inner());
        refused.0 += 1;
        let now = Instant::now();
        if refused
            .1
            .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(60))
        {
            tracing::warn!(
                last_peer = ?peer,
                refused = refused.0,
                max_total = self.inner.max_total,
                max_per_address = self.inner.max_per_address,
                "connections refused: too many open (in all, or from one address)"
            );
            *refused = (0, Some(now));
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.inner
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .total
    }
}

/// Held for as long as a connection is open; gives its place back when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    limit: Arc<ConnectionCount>,
    peer: Option<IpAddr>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.limit.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(ip) = self.peer {
            if let Some(held) = open.by_address.get_mut(&ip) {
                *held = held.saturating_sub(1);
                if *held == 0 {
                    open.by_address.remove(&ip);
                }
            }
        }
    }
}

/// A connection with its slot: the slot goes when the connection does.
#[derive(Debug)]
pub struct Limited<S> {
    stream: S,
    _slot: ConnectionSlot,
}

impl<S: AsyncRead + Unpin> AsyncRead for Limited<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Limited<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts a connection only when it gets a slot; one over a cap is closed at once, so it
/// costs the server a file descriptor for a moment and nothing more.
impl<S> Accept<TcpStream, S> for ConnectionLimit {
    type Stream = Limited<TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let peer = stream.peer_addr().ok().map(|a| a.ip());
        std::future::ready(match self.admit(peer) {
            Some(slot) => {
                // Small answers go out at once instead of waiting for more to send.
                let _ = stream.set_nodelay(true);
                Ok((
                    Limited {
                        stream,
                        _slot: slot,
                    },
                    service,
                ))
            }
            None => {
                self.note_refusal(peer);
                Err(io::Error::other("too many open connections"))
            }
        })
    }
}

/// Sync rounds running at once, and how long one waits for its turn.
#[derive(Debug, Clone)]
pub struct SyncGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl SyncGate {
    pub fn new(max_concurrent: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            wait,
        }
    }
}

/// Middleware on `/sync`: the request body is read only once a permit is held, so the
/// memory of bodies being decoded is bounded by the number of permits. A round that waits
/// too long is answered `503 busy` (the device retries with backoff).
pub async fn sync_gate(State(gate): State<SyncGate>, request: Request, next: Next) -> Response {
    let permit = tokio::time::timeout(gate.wait, gate.permits.clone().acquire_owned()).await;
    match permit {
        Ok(Ok(_permit)) => next.run(request).await,
        _ => {
            let mut response = HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy with other devices' syncs; this device tries again shortly",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

/// The address a request came from, when the server knows it (it does when serving;
/// tests that call the router directly have none).
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

/// Wrong enrolment codes per address: past `max` in `window`, that address is answered
/// `429` until the window that began with its first failure is over. A code has about 50
/// bits, so guessing is hopeless anyway; the throttle keeps the log readable and the
/// database quiet, and every failure is logged with its address.
#[derive(Debug)]
pub struct EnrollThrottle {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Addresses remembered before old windows are swept.
const REMEMBERED_ADDRESSES: usize = 10_000;

impl EnrollThrottle {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: max.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long `peer` must still wait, if it is throttled now.
    pub fn wait(&self, peer: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let peer = peer?;
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let f = failures.get(&peer)?;
        let ends = f.since + self.window;
        (f.count >= self.max && ends > now).then(|| ends - now)
    }

    /// Counts a wrong code from `peer`.
    pub fn failed(&self, peer: Option<IpAddr>, now: Instant) {
        let Some(peer) = peer else { return };
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= REMEMBERED_ADDRESSES {
            let window = self.window;
            failures.retain(|_, f| f.since + window > now);
        }
        let f = failures.entry(peer).or_insert(Failures {
            count: 0,
            since: now,
        });
        if f.since + self.window <= now {
            *f = Failures {
                count: 0,
                since: now,
            };
        }
        f.count = f.count.saturating_add(1);
    }
}

/// The answer to a throttled address.
pub fn throttled(wait: Duration) -> HttpError {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    HttpError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!(
            "too many wrong enrolment codes from this address: try again in {minutes} minute(s), with the code exactly as the field office gave it"
        ),
    )
    .retry_after(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_past_a_cap_are_refused_and_slots_come_back() {
        let limit = ConnectionLimit::new(3, 2);
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let a1 = limit.admit(Some(a)).expect("first of a");
        let _a2 = limit.admit(Some(a)).expect("second of a");
        assert!(limit.admit(Some(a)).is_none(), "a third from one address");
        let _b1 = limit.admit(Some(b)).expect("first of b");
        assert!(limit.admit(Some(b)).is_none(), "past the total");
        drop(a1);
        assert_eq!(limit.open(), 2);
        assert!(limit.admit(Some(a)).is_some(), "a slot came back");
    }

    #[test]
    fn an_address_is_throttled_after_its_failures_until_the_window_ends() {
        let throttle = EnrollThrottle::new(3, Duration::from_secs(600));
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        let other: IpAddr = "192.0.2.8".parse().expect("ip");
        let t = Instant::now();
        for i in 0..3 {
            assert_eq!(throttle.wait(Some(ip), t), None, "after {i} failures");
            throttle.failed(Some(ip), t);
        }
        let wait = throttle
            .wait(Some(ip), t + Duration::from_secs(60))
            .expect("throttled");
        assert_eq!(wait, Duration::from_secs(540));
        assert_eq!(throttle.wait(Some(other), t), None, "another address");
        assert_eq!(
            throttle.wait(Some(ip), t + Duration::from_secs(600)),
            None,
            "the window is over"
        );
        throttle.failed(Some(ip), t + Duration::from_secs(601));
        assert_eq!(
            throttle.wait(Some(ip), t + Duration::from_secs(602)),
            None,
            "a new window starts counting from one"
        );
    }
}
