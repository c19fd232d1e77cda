//! The HTTP side: enrolment, health, and the sync loop over `POST /api/v1/sync`.

use std::time::Duration;

use chrono::Utc;
use njia_model::ops::Operation;
use njia_model::wire::{
    ApiError, Correction, EnrollRequest, EnrollResponse, ForkRequest, ForkResponse, Health,
    SyncRequest, SyncResponse, API_PREFIX, PROTOCOL,
};
use njia_store::sync::{Enrollment, RefusedItem, SyncEnd};
use njia_store::Store;
use reqwest::header::{
    HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, USER_AGENT,
};
use reqwest::StatusCode;
use serde::Serialize;

use crate::backoff::Backoff;
use crate::codec;
use crate::pin::CertPin;
use crate::SyncError;

/// The store setting that holds the pinned certificate's SHA-256 (empty: none).
pub const PIN_SETTING: &str = "server_cert_sha256";

/// How the client talks to the server. The defaults suit a phone on a bad network.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Longest wait for a connection: 10 s.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request and its answer: 60 s. A timeout halves the next
    /// request's page and batch, so a slow link still moves forward.
    pub request_timeout: Duration,
    /// Operations (and corrections) sent per request, in bytes of JSON before compression:
    /// about 512 KB. Halved when the server answers `too_large`.
    pub batch_bytes: usize,
    /// Largest page of changes asked for, in bytes of JSON before compression: 8 MB (the
    /// server's cap), so a first sync of a 10k-service region is one request.
    pub max_bytes: u64,
    /// Retries of one request after a transient failure (no connection, timeout, 5xx, an
    /// answer cut short), within one call of [`SyncClient::sync`].
    pub retries: u32,
    /// Waits between those retries.
    pub retry_backoff: Backoff,
    /// Requests one sync may make before it stops and reports itself incomplete; a guard
    /// against a server that always says `more`.
    pub max_requests: u32,
    /// Allow `http://` to any host. Off by default: plain HTTP carries the device's token
    /// and its outreach readable by anyone on the network (a café's Wi-Fi), so without this
    /// it is allowed only to this machine or a private address ([`check_transport`]).
    pub insecure: bool,
    /// Trust only the server certificate with this SHA-256, whoever signed it
    /// ([`crate::pin`]). Given to [`SyncClient::enroll`], it is kept in the store, and every
    /// later sync of that store checks it whatever these options say.
    pub pin: Option<CertPin>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            batch_bytes: 512 * 1024,
            max_bytes: 8 * 1024 * 1024,
            retries: 4,
            retry_backoff: Backoff::RETRY,
            max_requests: 1_000,
            pin: None,
            insecure: false,
        }
    }
}

/// A named step of a sync round where a test may make the sync crash (`fail::cfg(name,
/// "panic")`), with the `failpoints` feature; nothing at all without it.
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}

/// Every failpoint of a sync round here, in the order a round passes them (the store's
/// apply path has its own: [`njia_store::sync::FAILPOINTS`]).
pub const FAILPOINTS: &[&str] = &[
    "sync::before_request",
    "sync::after_response",
    "sync::after_apply",
    "sync::before_record_end",
];

/// The smallest page or batch a timeout or cut can shrink requests to.
const MIN_BYTES: usize = 16 * 1024;
/// Corrections sent per request at most.
const CORRECTIONS_PER_REQUEST: usize = 200;
/// Responses in a row that move nothing forward before the sync gives up.
const MAX_STALLS: u32 = 3;

/// What one sync did. Bytes are the bodies as on the wire (compressed). Reported after
/// every answer while the round runs, so it is also the round's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// The server synced with.
    pub server: String,
    /// This device's operations the server acknowledged during this sync.
    pub ops_pushed: i64,
    /// Operations still not acknowledged at the end (0 when complete).
    pub ops_pending: i64,
    /// Corrections the server acknowledged during this sync.
    pub corrections_sent: u64,
    /// Directory services received (added, changed, or already held).
    pub services_received: u64,
    /// Services removed from the device's directory.
    pub services_removed: u64,
    /// Outreach operations of other devices received (a supervisor's edits, the history of
    /// a replaced phone).
    pub ops_received: u64,
    /// Items of the change feed received in this round's pages (services whole or as
    /// patches, removals, operations), whether or not they changed anything.
    pub items_received: u64,
    /// Items the server said wait after the last page; `None` from a server that does not
    /// count them. With `items_received`, how far a pull has come.
    pub items_remaining: Option<u64>,
    /// HTTP requests made, retries included.
    pub requests: u32,
    /// Of which retries after a transient failure.
    pub retries: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// The feed cursor at the end.
    pub cursor: i64,
    /// The last answer said more changes wait.
    pub more: bool,
    /// Every operation and correction acknowledged and the feed read to its end: the only
    /// case in which the app may say "synced".
    pub complete: bool,
    /// What the server refused in this round (each also in `njia status`), in words.
    pub refused: Vec<RefusedItem>,
    /// Times this round found its store restored from an older copy and took a new
    /// device id (`POST /api/v1/fork`).
    pub forks: u32,
    /// Times this round found the server's history not the one it had read (the server
    /// was restored from a copy) and read the feed again from 0.
    pub history_resets: u32,
    /// Operations the server had lost and this round sent again.
    pub ops_resent: i64,
    /// Services removed because the restored server's directory no longer holds them.
    pub services_reconciled: u64,
    /// Server's clock minus this device's at the last answer, in ms.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub clock_offset_ms: Option<i64>,
    /// The server's time at its last answer: what `last_sync` records, since the device's
    /// own clock may be wrong.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub server_time: Option<chrono::DateTime<Utc>>,
}

/// The sync engine. Cheap to clone; one per app is enough.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    options: SyncOptions,
}

/// A failure of one exchange, before it is turned into a [`SyncError`].
#[derive(Debug)]
enum Failure {
    /// `409 gap`: the server holds this device's log up to here.
    Gap(i64),
    /// `409 diverged`: the server holds other operations at this device's idx: fork.
    Diverged,
    /// `409 history_unknown`: the cursor is not on the server's history: read the feed again.
    HistoryUnknown(String),
    /// `413 too_large`.
    TooLarge,
    /// Worth retrying; `shrink` when smaller requests are more likely to get through.
    Transient {
        error: SyncError,
        shrink: bool,
    },
    Fatal(SyncError),
}

/// A raw answer.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    zstd: bool,
}

/// Why a round stopped without an error.
enum RoundEnd {
    Complete,
    /// Stopped by the request guard with work left.
    Stopped,
}

impl SyncClient {
    /// A client with the default options.
    pub fn new() -> Result<Self, SyncError> {
        Self::with_options(SyncOptions::default())
    }

    pub fn with_options(options: SyncOptions) -> Result<Self, SyncError> {
        let setup = |message: String| SyncError::Protocol {
            url: String::new(),
            message,
        };
        let mut builder = reqwest::Client::builder();
        if let Some(pin) = options.pin {
            let tls = crate::pin::tls_config(pin)
                .map_err(|e| setup(format!("cannot set up TLS for the pinned certificate: {e}")))?;
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // Bodies are (de)compressed here, counted as sent, and size-limited.
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .build()
            .map_err(|e| setup(format!("cannot set up HTTP: {e}")))?;
        Ok(Self { http, options })
    }

    /// This client, or one that trusts only the certificate `store` was enrolled with.
    fn for_store(&self, store: &Store) -> Result<std::borrow::Cow<'_, Self>, SyncError> {
        let held = store
            .setting(PIN_SETTING)?
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<CertPin>().map_err(|e| SyncError::Protocol {
                    url: String::new(),
                    message: format!("the store's pinned certificate: {e}"),
                })
            })
            .transpose()?;
        match held {
            Some(pin) if self.options.pin != Some(pin) => {
                let options = SyncOptions {
                    pin: Some(pin),
                    ..self.options.clone()
                };
                Ok(std::borrow::Cow::Owned(Self::with_options(options)?))
            }
            _ => Ok(std::borrow::Cow::Borrowed(self)),
        }
    }

    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// `address` normalised ([`normalize_server`]) and allowed by [`check_transport`] with
    /// this client's [`SyncOptions::insecure`].
    fn server_address(&self, address: &str) -> Result<String, SyncError> {
        let server = normalize_server(address)?;
        check_transport(&server, self.options.insecure)?;
        Ok(server)
    }

    /// `GET /api/v1/health`: whether the server answers, and its version.
    pub async fn health(&self, server: &str) -> Result<Health, SyncError> {
        let server = self.server_address(server)?;
        let url = format!("{server}{API_PREFIX}/health");
        let mut report = SyncReport::default();
        let answer = self
            .exchange(&url, self.http.get(&url), &mut report)
            .await
            .map_err(|f| self.settle(&url, &server, f, 0))?;
        if !answer.status.is_success() {
            return Err(self.settle(&url, &server, classify(&url, &server, &answer, 0), 0));
        }
        codec::decode(&answer.body, answer.zstd).map_err(|e| protocol(&url, &e))
    }

    /// Trades a one-time code from the office for this device's identity and token, and
    /// records them in the store. A store whose log may be on a server (it synced, or sent
    /// operations whose answer was lost) enrols again as itself: the request carries its
    /// device id and token, the server re-issues a token for that same device only for a
    /// code of the same worker (it refuses in words, the code unspent, otherwise), and the
    /// store keeps its id and log. The request is not retried once sent (a code works
    /// once); only a failure to connect is retried.
    pub async fn enroll(
        &self,
        store: &mut Store,
        server: &str,
        code: &str,
        label: Option<&str>,
    ) -> Result<Enrollment, SyncError> {
        let server = self.server_address(server)?;
        let again = store.reenrollment()?;
        let code = code.trim();
        if code.is_empty() {
            return Err(SyncError::EnrollRefused {
                code: "code_unknown".into(),
                message: "the code is empty".into(),
            });
        }
        let url = format!("{server}{API_PREFIX}/enroll");
        let request = EnrollRequest {
            code: code.to_string(),
            device_label: label
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from),
            device_id: again.as_ref().map(|(id, _)| *id),
            device_token: again.as_ref().map(|(_, token)| token.clone()),
        };
        let mut report = SyncReport::default();
        let mut attempt = 0;
        let answer = loop {
            let req = self.http.post(&url).json(&request);
            match self.exchange(&url, req, &mut report).await {
                Ok(a) => break a,
                Err(Failure::Transient { error, .. })
                    if matches!(error, SyncError::Unreachable { .. })
                        && report.bytes_received == 0
                        && attempt < self.options.retries
                        && is_connect_failure(&error) =>
                {
                    tokio::time::sleep(self.options.retry_backoff.delay(attempt)).await;
                    attempt += 1;
                }
                Err(f) => return Err(self.settle(&url, &server, f, 0)),
            }
        };
        if !answer.status.is_success() {
            let f = classify(&url, &server, &answer, 0);
            return Err(match f {
                Failure::Fatal(SyncError::EnrollRefused { code, message }) if code == "code_used" => {
                    SyncError::EnrollRefused {
                        code,
                        message: format!("{message} (if this device was enrolling when the connection broke, the code was spent on that attempt)"),
                    }
                }
                f => self.settle(&url, &server, f, 0),
            });
        }
        let response: EnrollResponse =
            codec::decode(&answer.body, answer.zstd).map_err(|e| protocol(&url, &e))?;
        if let Some((id, _)) = again {
            if response.device_id != id {
                return Err(SyncError::Protocol {
                    url,
                    message: format!(
                        "asked to enrol device {id} again, it answered for device {}",
                        response.device_id
                    ),
                });
            }
        }
        let enrollment = store.enroll(&server, &response)?;
        let pin = self.options.pin.map(|p| p.to_string()).unwrap_or_default();
        store.set_setting(PIN_SETTING, &pin)?;
        Ok(enrollment)
    }

    /// One sync round to completion: pushes this device's operations past what the server
    /// acknowledged (in batches of about [`SyncOptions::batch_bytes`]) with the pending
    /// corrections and the feed cursor, applies each answer with
    /// [`Store::apply_sync_page`], and goes on while operations remain or the server says
    /// `more`. Transient failures are retried with backoff; a `gap` resends from the
    /// server's idx; `too_large` halves the batch.
    ///
    /// `server_override` replaces the enrolled address for this round only. `progress` is
    /// called after each applied answer with the running totals.
    ///
    /// The outcome is recorded in the store either way (`last_attempt`; `last_sync` when
    /// complete; `last_error` in words otherwise). `Ok` with `complete == false` means the
    /// round stopped on its request guard with work left.
    ///
    /// Cancel-safe: dropping the future at any await point leaves the store consistent (it
    /// is written only between awaits, one transaction per answer).
    pub async fn sync(
        &self,
        store: &mut Store,
        server_override: Option<&str>,
        mut progress: impl FnMut(&SyncReport),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let result = match self.for_store(store) {
            Ok(client) => {
                client
                    .round(store, server_override, &mut report, &mut progress)
                    .await
            }
            Err(e) => Err(e),
        };
        let message = result.as_ref().err().map(ToString::to_string);
        let end = match (&result, &message) {
            (Ok(RoundEnd::Complete), _) => SyncEnd::Finished { more: report.more },
            (Ok(RoundEnd::Stopped), _) => SyncEnd::Finished { more: true },
            (Err(_), Some(m)) => SyncEnd::Failed(m),
            (Err(_), None) => unreachable!("an error has a message"),
        };
        failpoint!("sync::before_record_end");
        let recorded = store.record_sync_end(report.server_time.unwrap_or_else(Utc::now), end);
        let result = result?;
        let complete = recorded?;
        report.ops_pending = store.op_log_status()?.pending;
        report.complete = complete && matches!(result, RoundEnd::Complete);
        Ok(report)
    }

    async fn round(
        &self,
        store: &mut Store,
        server_override: Option<&str>,
        report: &mut SyncReport,
        progress: &mut impl FnMut(&SyncReport),
    ) -> Result<RoundEnd, SyncError> {
        let enrollment = store.enrollment()?.ok_or(SyncError::NotEnrolled)?;
        let server = match server_override {
            Some(s) => self.server_address(s)?,
            // A store enrolled over plain HTTP before the rule is held to it too.
            None => {
                check_transport(&enrollment.server, self.options.insecure)?;
                enrollment.server.clone()
            }
        };
        report.server = server.clone();
        let url = format!("{server}{API_PREFIX}/sync");
        let mut bearer = bearer_of(&server, &enrollment.token)?;
        // Where the server's copy of this device's log ends, as far as we know.
        let mut after = store.op_log_status()?.acked_idx;
        let mut cursor = store.sync_cursor()?;
        let mut cursor_tag = store.sync_cursor_tag()?;
        let refused_before = store.refused_items()?.len();
        report.cursor = cursor;
        let mut batch_bytes = self.options.batch_bytes.max(1);
        let mut max_bytes = self.options.max_bytes.max(1);
        let mut attempt = 0u32;
        let mut stalls = 0u32;
        let mut gaps = 0u32;
        loop {
            if report.requests >= self.options.max_requests {
                tracing::warn!(
                    requests = report.requests,
                    "sync stopped by its request guard with work left"
                );
                return Ok(RoundEnd::Stopped);
            }
            let (ops, corrections, sent_bytes) = batch(store, after, batch_bytes)?;
            let sent_ops = ops.len();
            let sent_corrections = corrections.len();
            let last_sent = ops.last().map(|o| o.idx);
            let request = SyncRequest {
                ops,
                cursor,
                corrections,
                max_bytes: Some(max_bytes),
                // Changed services this device holds come as their changed fields only.
                patches: true,
                protocol: Some(PROTOCOL),
                cursor_tag: cursor_tag.clone(),
            };
            let (body, _) = codec::encode(&request).map_err(|e| protocol(&url, &e))?;
            drop(request);
            if sent_ops > 0 {
                // Before the operations leave: an answer lost on the way must not let the
                // store take another id for operations the server may hold under this one.
                store.record_log_may_have_left(&server)?;
            }
            failpoint!("sync::before_request");
            let req = self
                .http
                .post(&url)
                .header(AUTHORIZATION, bearer.clone())
                .header(CONTENT_TYPE, "application/json")
                .header(CONTENT_ENCODING, "zstd")
                .header(ACCEPT_ENCODING, "zstd")
                .body(body);
            let pending = store.op_log_status()?.pending;
            let outcome = match self.exchange(&url, req, report).await {
                Ok(answer) if answer.status.is_success() => {
                    codec::decode::<SyncResponse>(&answer.body, answer.zstd).map_err(|e| {
                        if e.is_cut() {
                            Failure::Transient {
                                error: SyncError::Unreachable {
                                    url: url.clone(),
                                    reason: e.to_string(),
                                },
                                shrink: true,
                            }
                        } else {
                            Failure::Fatal(protocol(&url, &e))
                        }
                    })
                }
                Ok(answer) => Err(classify(&url, &server, &answer, pending)),
                Err(f) => Err(f),
            };
            match outcome {
                Ok(resp) => {
                    attempt = 0;
                    let last_idx = store.op_log_status()?.last_idx;
                    if resp.acked_idx < 0 {
                        return Err(SyncError::Protocol {
                            url,
                            message: format!(
                                "it says it holds operation {} of this device",
                                resp.acked_idx
                            ),
                        });
                    }
                    if resp.acked_idx > last_idx {
                        // The server holds more of this log than this store wrote: the store
                        // is an older copy of itself. The records written since are the
                        // server's; this store takes a new id for its own.
                        self.fork(store, &server, &bearer, report).await?;
                        bearer = self.after_fork(store, &server, report, &mut after)?;
                        continue;
                    }
                    report.clock_offset_ms =
                        Some((resp.server_time - Utc::now()).num_milliseconds());
                    failpoint!("sync::after_response");
                    let applied = store.apply_sync_answer(cursor, cursor_tag.as_deref(), &resp)?;
                    failpoint!("sync::after_apply");
                    if let Some(offset) = report.clock_offset_ms {
                        store.record_clock_offset(offset)?;
                    }
                    report.server_time = Some(resp.server_time);
                    if applied.stale {
                        // Another sync of this store applied a page meanwhile: ask again from
                        // where it left the store.
                        after = resp.acked_idx;
                        cursor = store.sync_cursor()?;
                        cursor_tag = store.sync_cursor_tag()?;
                        report.cursor = cursor;
                        report.ops_pushed += applied.ops_acked;
                        report.ops_resent += applied.ops_rewound;
                        report.corrections_sent += applied.corrections_acked;
                        stalls = 0;
                        continue;
                    }
                    report.ops_resent += applied.ops_rewound;
                    report.services_reconciled += applied.services_reconciled;
                    cursor_tag.clone_from(&resp.cursor_tag);
                    report.ops_pushed += applied.ops_acked;
                    report.corrections_sent += applied.corrections_acked;
                    report.services_received +=
                        (resp.changes.services.len() + resp.changes.patches.len()) as u64;
                    report.services_removed += applied.services_removed;
                    report.ops_received += applied.ops_received;
                    report.items_received += (resp.changes.services.len()
                        + resp.changes.patches.len()
                        + resp.changes.removed.len()
                        + resp.changes.ops.len())
                        as u64;
                    report.items_remaining = if resp.more { resp.remaining } else { Some(0) };
                    report.cursor = resp.cursor;
                    report.more = resp.more;
                    let moved = resp.acked_idx > after
                        || applied.corrections_acked > 0
                        || resp.cursor != cursor
                        || !resp.changes.is_empty();
                    after = resp.acked_idx;
                    cursor = resp.cursor;
                    report.ops_pending = (last_idx - after).max(0);
                    if applied.ops_refused + applied.corrections_refused > 0 {
                        let all = store.refused_items()?;
                        let new = all.len().saturating_sub(refused_before);
                        report.refused = all.into_iter().take(new).collect();
                    }
                    progress(report);
                    let corrections_left = !store.pending_corrections(1)?.is_empty();
                    if !resp.more && last_idx <= after && !corrections_left {
                        return Ok(RoundEnd::Complete);
                    }
                    stalls = if moved { 0 } else { stalls + 1 };
                    if stalls >= MAX_STALLS {
                        let message = match (sent_ops, sent_corrections, last_sent) {
                            (n, _, Some(last)) if n > 0 => format!(
                                "it does not acknowledge operations {}..{last} of this device and reports no error",
                                after + 1
                            ),
                            (_, c, _) if c > 0 => "it does not acknowledge this device's corrections and reports no error".to_string(),
                            _ => "it says more changes wait but sends none".to_string(),
                        };
                        return Err(SyncError::Protocol { url, message });
                    }
                }
                Err(Failure::Diverged) => {
                    if report.forks >= 2 {
                        return Err(SyncError::Protocol {
                            url,
                            message: "it keeps saying this device's log differs from the one it holds, after a new device id".into(),
                        });
                    }
                    self.fork(store, &server, &bearer, report).await?;
                    bearer = self.after_fork(store, &server, report, &mut after)?;
                }
                Err(Failure::HistoryUnknown(why)) => {
                    if report.history_resets >= 2 || cursor == 0 {
                        return Err(SyncError::Protocol {
                            url,
                            message: format!("it does not recognise this device's place in its history even from the start: {why}"),
                        });
                    }
                    tracing::warn!(%why, "the server's history is not the one this device read: reading it again from the start");
                    store.reset_history()?;
                    report.history_resets += 1;
                    cursor = 0;
                    cursor_tag = None;
                }
                Err(Failure::Gap(acked)) => {
                    gaps += 1;
                    let last_idx = store.op_log_status()?.last_idx;
                    if acked < 0 || acked > last_idx || gaps > MAX_STALLS {
                        return Err(SyncError::Protocol {
                            url,
                            message: format!(
                                "it asks for this device's operations after {acked}, and this device wrote {last_idx}"
                            ),
                        });
                    }
                    tracing::info!(
                        server_has = acked,
                        "the server lacks operations: resending from there"
                    );
                    after = acked;
                }
                Err(Failure::TooLarge) => {
                    if sent_ops + sent_corrections <= 1 {
                        let what = match last_sent {
                            Some(idx) => format!("operation {idx} of this device"),
                            None => "a correction".to_string(),
                        };
                        return Err(SyncError::Refused {
                            url,
                            status: 413,
                            code: "too_large".into(),
                            message: format!("{what} is too large for the server to accept"),
                        });
                    }
                    batch_bytes = (sent_bytes.min(batch_bytes) / 2).max(1);
                    tracing::info!(
                        batch_bytes,
                        "the server found the request too large: halving"
                    );
                }
                Err(Failure::Transient { error, shrink }) => {
                    if attempt >= self.options.retries {
                        return Err(error);
                    }
                    if shrink {
                        batch_bytes = (batch_bytes / 2).max(MIN_BYTES.min(batch_bytes));
                        max_bytes = (max_bytes / 2).max((MIN_BYTES as u64).min(max_bytes));
                    }
                    let wait = self.options.retry_backoff.delay(attempt);
                    tracing::info!(%error, ?wait, attempt, "transient failure: trying again");
                    attempt += 1;
                    report.retries += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(Failure::Fatal(e)) => return Err(e),
            }
        }
    }

    /// Sends one request and reads the whole answer, counting bytes both ways.
    async fn exchange(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        report: &mut SyncReport,
    ) -> Result<Answer, Failure> {
        let req = req
            .header(USER_AGENT, concat!("njia/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Failure::Fatal(SyncError::BadAddress {
                    address: url.to_string(),
                    reason: e.to_string(),
                })
            })?;
        report.requests += 1;
        report.bytes_sent += req
            .body()
            .and_then(|b| b.as_bytes())
            .map_or(0, |b| b.len() as u64);
        let resp = self
            .http
            .execute(req)
            .await
            .map_err(|e| self.transport(url, &e))?;
        let status = resp.status();
        let encoding = resp
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase());
        let zstd = match encoding.as_deref() {
            None | Some("identity") | Some("") => false,
            Some("zstd") => true,
            Some(other) => {
                return Err(Failure::Fatal(SyncError::Protocol {
                    url: url.to_string(),
                    message: format!(
                        "it compressed its answer with \"{other}\"; this app reads only zstd"
                    ),
                }))
            }
        };
        let body = resp.bytes().await.map_err(|e| self.transport(url, &e))?;
        report.bytes_received += body.len() as u64;
        Ok(Answer {
            status,
            body: body.to_vec(),
            zstd,
        })
    }

    /// A transport failure in words; all of them are worth a retry.
    fn transport(&self, url: &str, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            return Failure::Transient {
                error: SyncError::TimedOut {
                    url: url.to_string(),
                    seconds: self.options.request_timeout.as_secs(),
                },
                shrink: true,
            };
        }
        let reason = cause(e);
        if e.is_connect() {
            return Failure::Transient {
                error: SyncError::Unreachable {
                    url: url.to_string(),
                    reason: format!("cannot connect ({reason})"),
                },
                shrink: false,
            };
        }
        Failure::Transient {
            error: SyncError::Unreachable {
                url: url.to_string(),
                reason: format!("the connection broke during the exchange ({reason})"),
            },
            shrink: true,
        }
    }

    /// The error a failure ends in when it is not handled by the loop.
    fn settle(&self, url: &str, server: &str, f: Failure, pending: i64) -> SyncError {
        match f {
            Failure::Fatal(e) | Failure::Transient { error: e, .. } => e,
            Failure::Gap(acked) => SyncError::Protocol {
                url: url.to_string(),
                message: format!("unexpected gap answer (acked {acked}) from {server}"),
            },
            Failure::TooLarge => SyncError::Refused {
                url: url.to_string(),
                status: 413,
                code: "too_large".into(),
                message: format!("the request is too large for {server} (pending {pending})"),
            },
            Failure::Diverged => SyncError::Protocol {
                url: url.to_string(),
                message: format!("{server} says this device's log differs from the one it holds"),
            },
            Failure::HistoryUnknown(why) => SyncError::Protocol {
                url: url.to_string(),
                message: why,
            },
        }
    }

    /// Asks the server for a new device id for this store (`POST /api/v1/fork`): its log no
    /// longer matches the one the server holds for it. Retried on transient failures with
    /// the same fork id, so a lost answer gives back the same new device.
    async fn fork(
        &self,
        store: &mut Store,
        server: &str,
        bearer: &HeaderValue,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let url = format!("{server}{API_PREFIX}/fork");
        let after = store.op_log_status()?.acked_idx;
        let request = ForkRequest {
            fork_id: store.fork_id()?,
            after,
            op_ids: store.op_ids_after(after)?,
        };
        let mut attempt = 0;
        loop {
            let req = self
                .http
                .post(&url)
                .header(AUTHORIZATION, bearer.clone())
                .json(&request);
            let failure = match self.exchange(&url, req, report).await {
                Ok(a) if a.status.is_success() => {
                    let answer: ForkResponse =
                        codec::decode(&a.body, a.zstd).map_err(|e| protocol(&url, &e))?;
                    store.fork(&answer)?;
                    report.forks += 1;
                    return Ok(());
                }
                Ok(a) => classify(&url, server, &a, 0),
                Err(f) => f,
            };
            match failure {
                Failure::Transient { error, .. } if attempt < self.options.retries => {
                    tracing::info!(%error, attempt, "fork: trying again");
                    tokio::time::sleep(self.options.retry_backoff.delay(attempt)).await;
                    attempt += 1;
                    report.retries += 1;
                }
                f => return Err(self.settle(&url, server, f, 0)),
            }
        }
    }

    /// The token and acknowledged idx to go on with after [`SyncClient::fork`].
    fn after_fork(
        &self,
        store: &Store,
        server: &str,
        report: &mut SyncReport,
        after: &mut i64,
    ) -> Result<HeaderValue, SyncError> {
        let enrollment = store.enrollment()?.ok_or(SyncError::NotEnrolled)?;
        *after = store.op_log_status()?.acked_idx;
        report.ops_pending = store.op_log_status()?.pending;
        bearer_of(server, &enrollment.token)
    }
}

fn bearer_of(server: &str, token: &str) -> Result<HeaderValue, SyncError> {
    HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| SyncError::Unauthorized {
        server: server.to_string(),
        message: "the stored token is not valid in a header".into(),
    })
}

fn is_connect_failure(e: &SyncError) -> bool {
    matches!(e, SyncError::Unreachable { reason, .. } if reason.starts_with("cannot connect"))
}

fn protocol(url: &str, e: &dyn std::fmt::Display) -> SyncError {
    SyncError::Protocol {
        url: url.to_string(),
        message: e.to_string(),
    }
}

/// The innermost causes of a transport error, without the URL reqwest puts first.
fn cause(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    match parts.len() {
        0 => e.to_string(),
        n => parts[n.saturating_sub(2)..].join(": "),
    }
}

/// Turns an error answer (4xx/5xx with an [`ApiError`] body, or anything a proxy may send)
/// into what the sync loop does next.
fn classify(url: &str, server: &str, answer: &Answer, pending: i64) -> Failure {
    let status = answer.status.as_u16();
    let api: Option<ApiError> = codec::decode(&answer.body, answer.zstd).ok();
    let (code, message) = match &api {
        Some(a) => (a.code.as_str(), a.error.clone()),
        None => {
            let text = String::from_utf8_lossy(&answer.body);
            let text: String = text.trim().chars().take(200).collect();
            let reason = answer.status.canonical_reason().unwrap_or("error");
            let message = if text.is_empty() || text.starts_with('<') {
                format!("HTTP {status} {reason}")
            } else {
                format!("HTTP {status} {reason}: {text}")
            };
            ("", message)
        }
    };
    let fatal = Failure::Fatal;
    match (status, code) {
        (_, "revoked") => fatal(SyncError::Revoked {
            server: server.to_string(),
            pending,
        }),
        (_, "diverged") => Failure::Diverged,
        (_, "history_unknown") => Failure::HistoryUnknown(message),
        (_, "gap") => match api.as_ref().and_then(|a| a.acked_idx) {
            Some(acked) => Failure::Gap(acked),
            None => fatal(SyncError::Protocol {
                url: url.to_string(),
                message: format!("a gap answer without the idx it holds: {message}"),
            }),
        },
        (413, _) | (_, "too_large") => Failure::TooLarge,
        (_, "code_used" | "code_expired" | "code_unknown") => fatal(SyncError::EnrollRefused {
            code: code.to_string(),
            message,
        }),
        (401, _) | (_, "unauthorized") => fatal(SyncError::Unauthorized {
            server: server.to_string(),
            message,
        }),
        (408 | 429 | 500..=599, _) => Failure::Transient {
            error: SyncError::Server {
                url: url.to_string(),
                status,
                message,
            },
            shrink: matches!(status, 408 | 504),
        },
        _ => fatal(SyncError::Refused {
            url: url.to_string(),
            status,
            code: if code.is_empty() {
                "http".into()
            } else {
                code.into()
            },
            message,
        }),
    }
}

/// The next request's operations and corrections: this device's log after `after`, in idx
/// order, and the corrections not yet acknowledged, together about `budget` bytes of JSON —
/// always at least one item when there is one, so a batch can shrink but never stall — and
/// their size.
fn batch(
    store: &Store,
    after: i64,
    budget: usize,
) -> Result<(Vec<Operation>, Vec<Correction>, usize), SyncError> {
    let mut ops = Vec::new();
    let mut size = 0usize;
    let mut from = after;
    'fill: loop {
        let chunk = store.operations_after(from, 256)?;
        if chunk.is_empty() {
            break;
        }
        for op in chunk {
            let n = serde_json::to_vec(&op).map_or(0, |v| v.len()) + 1;
            if !ops.is_empty() && size + n > budget {
                break 'fill;
            }
            size += n;
            from = op.idx;
            ops.push(op);
        }
    }
    let mut corrections = Vec::new();
    for c in store.pending_corrections(CORRECTIONS_PER_REQUEST)? {
        let n = serde_json::to_vec(&c).map_or(0, |v| v.len()) + 1;
        if !(ops.is_empty() && corrections.is_empty()) && size + n > budget {
            break;
        }
        size += n;
        corrections.push(c);
    }
    Ok((ops, corrections, size))
}

/// A server address as the store keeps it: `http(s)://host[:port][/path]`, without a
/// trailing slash or the `/api/v1` a user may have pasted.
pub fn normalize_server(address: &str) -> Result<String, SyncError> {
    let bad = |reason: &str| SyncError::BadAddress {
        address: address.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = address.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix(API_PREFIX).unwrap_or(trimmed);
    if !trimmed.contains("://") {
        return Err(bad(
            "it must start with https:// (or http:// on a local network)",
        ));
    }
    let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad(
            "it must start with https:// (or http:// on a local network)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host name"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query (?…) or a fragment (#…)"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Whether a request to `server` (normalised) may go: `https://` always; `http://` only to
/// this machine (`localhost`, 127.0.0.0/8, ::1) or a private or link-local address
/// (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, fc00::/7, fe80::/10), where an
/// office server on its own network is reached, unless `insecure`. A host name other than
/// `localhost` over `http://` is refused: the device cannot know where it resolves.
pub fn check_transport(server: &str, insecure: bool) -> Result<(), SyncError> {
    let url = reqwest::Url::parse(server).map_err(|e| SyncError::BadAddress {
        address: server.to_string(),
        reason: e.to_string(),
    })?;
    if url.scheme() != "http" || insecure {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    // An IPv6 host comes in brackets ("[::1]").
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let local = match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => is_local_v4(ip),
        Ok(std::net::IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => is_local_v4(v4),
            None => {
                let first = ip.segments()[0];
                ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
        },
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if local {
        Ok(())
    } else {
        Err(SyncError::Insecure {
            address: server.to_string(),
        })
    }
}

fn is_local_v4(ip: std::net::Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_only_to_this_machine_or_a_private_network() {
        for ok in [
            "https://njia.example.org",
            "https://8.8.8.8",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:9",
            "http://127.8.9.1",
            "http://10.0.0.2:8080",
            "http://172.16.0.1",
            "http://172.31.255.254",
            "http://192.168.1.10/njia",
            "http://169.254.10.1",
            "http://[::1]:8080",
            "http://[fd12:3456::1]",
            "http://[fc00::1]",
            "http://[fe80::1]",
            "http://[::ffff:192.168.0.1]",
        ] {
            assert!(check_transport(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "http://njia.example.org",
            "http://8.8.8.8",
            "http://172.32.0.1",
            "http://172.15.0.1",
            "http://192.169.0.1",
            "http://100.64.0.1",
            "http://[2001:db8::1]",
            "http://[::ffff:8.8.8.8]",
            "http://office.local",
            "http://localhost.evil.example",
        ] {
            let e = check_transport(refused, false).unwrap_err();
            assert_eq!(e.kind(), "insecure", "{refused}");
            let words = e.to_string();
            assert!(
                words.contains("https://") && words.contains("--insecure"),
                "{words}"
            );
            assert!(
                check_transport(refused, true).is_ok(),
                "{refused} with insecure"
            );
        }
    }

    #[test]
    fn a_client_refuses_plain_http_to_a_public_host_before_connecting() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = SyncClient::new().unwrap();
        // 192.0.2.1 (TEST-NET-1) never answers: an error other than `insecure` would mean a
        // connection was tried.
        let e = rt
            .block_on(client.health("http://192.0.2.1:9"))
            .unwrap_err();
        assert_eq!(e.kind(), "insecure");
        let insecure = SyncClient::with_options(SyncOptions {
            insecure: true,
            connect_timeout: std::time::Duration::from_millis(200),
            retries: 0,
            ..SyncOptions::default()
        })
        .unwrap();
        let e = rt
            .block_on(insecure.health("http://192.0.2.1:9"))
            .unwrap_err();
        assert_ne!(e.kind(), "insecure");
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.as_bytes().to_vec(),
            zstd: false,
        }
    }

    fn kind(f: Failure) -> String {
        match f {
            Failure::Gap(n) => format!("gap {n}"),
            Failure::Diverged => "diverged".into(),
            Failure::HistoryUnknown(_) => "history_unknown".into(),
            Failure::TooLarge => "too_large".into(),
            Failure::Transient { error, shrink } => format!("transient {} {shrink}", error.kind()),
            Failure::Fatal(e) => format!("fatal {}", e.kind()),
        }
    }

    #[test]
    fn api_errors_map_to_what_the_loop_does() {
        let c = |status, body| kind(classify("u", "s", &answer(status, body), 3));
        assert_eq!(
            c(401, r#"{"error":"revoked","code":"revoked"}"#),
            "fatal revoked"
        );
        assert_eq!(
            c(401, r#"{"error":"who?","code":"unauthorized"}"#),
            "fatal unauthorized"
        );
        assert_eq!(c(401, "no json"), "fatal unauthorized");
        assert_eq!(
            c(409, r#"{"error":"x","code":"gap","acked_idx":4}"#),
            "gap 4"
        );
        assert_eq!(c(409, r#"{"error":"x","code":"gap"}"#), "fatal protocol");
        assert_eq!(c(413, r#"{"error":"x","code":"too_large"}"#), "too_large");
        assert_eq!(c(413, "<html>nginx</html>"), "too_large");
        assert_eq!(
            c(422, r#"{"error":"bad op","code":"invalid"}"#),
            "fatal refused"
        );
        assert_eq!(
            c(400, r#"{"error":"bad","code":"invalid"}"#),
            "fatal refused"
        );
        assert_eq!(
            c(410, r#"{"error":"used","code":"code_used"}"#),
            "fatal enroll_refused"
        );
        assert_eq!(
            c(410, r#"{"error":"old","code":"code_expired"}"#),
            "fatal enroll_refused"
        );
        assert_eq!(
            c(401, r#"{"error":"?","code":"code_unknown"}"#),
            "fatal enroll_refused"
        );
        assert_eq!(
            c(500, r#"{"error":"oops","code":"internal"}"#),
            "transient server_error false"
        );
        assert_eq!(
            c(502, "<html>bad gateway</html>"),
            "transient server_error false"
        );
        assert_eq!(c(504, ""), "transient server_error true");
        assert_eq!(c(429, ""), "transient server_error false");
        assert_eq!(c(404, ""), "fatal refused");
    }

    #[test]
    fn a_revoked_device_is_told_so_in_words() {
        let f = classify(
            "https://njia.example/api/v1/sync",
            "https://njia.example",
            &answer(
                401,
                r#"{"error":"this device was revoked","code":"revoked"}"#,
            ),
            5,
        );
        let Failure::Fatal(e) = f else { panic!() };
        let text = e.to_string();
        assert!(
            text.contains("revoked") && text.contains("ask the office"),
            "{text}"
        );
        assert!(text.contains("5 change(s)"), "{text}");
        assert_eq!(
            serde_json::to_value(&e).unwrap()["type"],
            "revoked",
            "the app matches on the kind"
        );
    }

    #[test]
    fn a_proxy_page_is_not_shown_as_html() {
        let Failure::Transient { error, .. } = classify(
            "u",
            "s",
            &answer(502, "<html><body>Bad Gateway</body></html>"),
            0,
        ) else {
            panic!()
        };
        assert_eq!(
            error.to_string(),
            "the server at u failed (502): HTTP 502 Bad Gateway"
        );
    }

    #[test]
    fn server_addresses_are_normalised_or_refused_in_words() {
        let n = |s| normalize_server(s);
        assert_eq!(
            n("https://njia.example.org/").unwrap(),
            "https://njia.example.org"
        );
        assert_eq!(n(" http://10.0.0.2:8080 ").unwrap(), "http://10.0.0.2:8080");
        assert_eq!(
            n("https://x.org/njia/api/v1").unwrap(),
            "https://x.org/njia"
        );
        assert_eq!(
            n("https://x.org/njia/api/v1/").unwrap(),
            "https://x.org/njia"
        );
        for bad in [
            "njia.example.org",
            "ftp://x.org",
            "https://x.org/?a=1",
            "",
            "http://",
        ] {
            let e = n(bad).unwrap_err();
            assert_eq!(e.kind(), "bad_address", "{bad}");
            assert!(e.to_string().contains("is not a server address"), "{e}");
        }
    }
}
