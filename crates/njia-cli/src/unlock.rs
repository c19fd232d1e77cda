//! Finding and unlocking the store: `--db`/`NJIA_DB` or the platform data folder, and the
//! passphrase from `NJIA_PASSPHRASE` or a prompt on a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use njia_store::Store;

/// The store at the chosen path, unlocked.
pub fn open(db: &Option<PathBuf>) -> anyhow::Result<Store> {
    let path = match db {
        Some(p) => p.clone(),
        None => default_path()?,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let passphrase = passphrase(&path)?;
    Store::open(&path, &passphrase)
        .with_context(|| format!("cannot open the store {}", path.display()))
}

fn default_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Njia", "njia")
        .context("no home folder to keep the store in: pass --db PATH or set NJIA_DB")?;
    Ok(dirs.data_dir().join("njia.db"))
}

fn passphrase(path: &Path) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("NJIA_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set NJIA_PASSPHRASE, or run njia in a terminal to be asked for it");
    }
    let new = !path.exists();
    let prompt = if new {
        format!("New passphrase for {}: ", path.display())
    } else {
        format!("Passphrase for {}: ", path.display())
    };
    let first = rpassword::prompt_password(prompt)?;
    if new {
        let again = rpassword::prompt_password("The same passphrase again: ")?;
        if again != first {
            bail!("the two passphrases differ; nothing was created");
        }
    }
    Ok(first)
}
