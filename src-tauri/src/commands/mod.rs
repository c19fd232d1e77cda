//! The commands the UI invokes. Each is a few lines over `njia-store` or `njia-sync`: the
//! rules live there, where the CLI and the tests reach them too.

pub mod directory;
pub mod outreach;
pub mod session;
pub mod sync;
