//! The same calls without async, for the CLI: each runs on a small single-threaded tokio
//! runtime owned by the client. Do not call these from inside an async runtime.

use njia_model::wire::Health;
use njia_store::sync::Enrollment;
use njia_store::Store;

use crate::{SyncClient, SyncError, SyncOptions, SyncReport};

/// A [`SyncClient`] with its own runtime.
pub struct BlockingClient {
    inner: SyncClient,
    runtime: tokio::runtime::Runtime,
}

impl BlockingClient {
    pub fn new() -> Result<Self, SyncError> {
        Self::with_options(SyncOptions::default())
    }

    pub fn with_options(options: SyncOptions) -> Result<Self, SyncError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SyncError::Protocol {
                url: String::new(),
                message: format!("cannot start the network runtime: {e}"),
            })?;
        Ok(Self {
            inner: SyncClient::with_options(options)?,
            runtime,
        })
    }

    /// See [`SyncClient::health`].
    pub fn health(&self, server: &str) -> Result<Health, SyncError> {
        self.runtime.block_on(self.inner.health(server))
    }

    /// See [`SyncClient::enroll`].
    pub fn enroll(
        &self,
        store: &mut Store,
        server: &str,
        code: &str,
        label: Option<&str>,
    ) -> Result<Enrollment, SyncError> {
        self.runtime
            .block_on(self.inner.enroll(store, server, code, label))
    }

    /// See [`SyncClient::sync`].
    pub fn sync(
        &self,
        store: &mut Store,
        server_override: Option<&str>,
        progress: impl FnMut(&SyncReport),
    ) -> Result<SyncReport, SyncError> {
        self.runtime
            .block_on(self.inner.sync(store, server_override, progress))
    }
}
