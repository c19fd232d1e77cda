//! Finding and unlocking the store: `--db`/`NJIA_DB` or the platform data folder, and the
//! passphrase from `NJIA_PASSPHRASE` or a prompt on a terminal.
//!
//! A new store's passphrase must meet the store's rule (`njia_store::passphrase::check`),
//! told before anything is created; the folder it is put in is created 0700. After wrong
//! passphrases the store makes the next attempt wait (`njia_store::unlock`): said on stderr,
//! so a CHW knows why nothing happens.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use njia_store::{passphrase, Store};
use zeroize::Zeroizing;

/// The store at the chosen path, unlocked.
pub fn open(db: &Option<PathBuf>) -> anyhow::Result<Store> {
    let path = match db {
        Some(p) => p.clone(),
        None => default_path()?,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        njia_store::create_private_dir(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let new = Store::kdf_params(&path)
        .with_context(|| format!("cannot open the store {}", path.display()))?
        .is_none();
    let passphrase = passphrase(&path, new)?;
    if new {
        passphrase::check(&passphrase).with_context(|| {
            format!(
                "cannot create the store {}: its passphrase is too easy to guess",
                path.display()
            )
        })?;
    } else {
        let wait = Store::unlock_delay(&path).unwrap_or_default();
        if !wait.is_zero() {
            eprintln!(
                "njia: after wrong passphrases, waiting {} s before trying this one",
                wait.as_secs()
            );
        }
    }
    Store::open(&path, &passphrase)
        .with_context(|| format!("cannot open the store {}", path.display()))
}

fn default_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Njia", "njia")
        .context("no home folder to keep the store in: pass --db PATH or set NJIA_DB")?;
    Ok(dirs.data_dir().join("njia.db"))
}

/// The passphrase, in memory that is zeroed when dropped.
fn passphrase(path: &Path, new: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("NJIA_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set NJIA_PASSPHRASE, or run njia in a terminal to be asked for it");
    }
    let prompt = if new {
        format!(
            "New passphrase for {} (at least {} characters; a few words are best): ",
            path.display(),
            passphrase::MIN_CHARS
        )
    } else {
        format!("Passphrase for {}: ", path.display())
    };
    let first = Zeroizing::new(rpassword::prompt_password(prompt)?);
    if new {
        passphrase::check(&first).context("nothing was created")?;
        let again = Zeroizing::new(rpassword::prompt_password("The same passphrase again: ")?);
        if again != first {
            bail!("the two passphrases differ; nothing was created");
        }
    }
    Ok(first)
}
