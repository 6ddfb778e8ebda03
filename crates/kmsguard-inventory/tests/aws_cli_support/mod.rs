//! Helpers shared by the AWS CLI reader tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use kmsguard_inventory::aws_cli::{self, FileHints, Session};
use kmsguard_inventory::{FileId, Inventory, LoadOptions};
use kmsguard_syntax::SourceFile;

/// Account A.
pub const A: &str = "111111111111";
/// Account B.
pub const B: &str = "222222222222";

/// Options with account A and eu-west-1, as a manifest would give.
pub fn options() -> LoadOptions {
    LoadOptions {
        account: Some(A.to_owned()),
        region: Some("eu-west-1".to_owned()),
        ..LoadOptions::default()
    }
}

/// Reads `text` as one more file of `inv`.
pub fn read_into(
    inv: &mut Inventory,
    session: &mut Session,
    text: &str,
    hints: FileHints,
    options: &LoadOptions,
) -> FileId {
    let name = format!("f{}.json", inv.files.len());
    let file = inv.add_file(SourceFile::new(name, text));
    aws_cli::read_with(inv, file, options, &hints, session);
    file
}

/// Reads one file with [`options`] and finishes the load.
pub fn one(text: &str, hints: FileHints) -> Inventory {
    let mut inv = Inventory::default();
    let mut session = Session::default();
    read_into(&mut inv, &mut session, text, hints, &options());
    session.finish(&mut inv);
    inv
}

/// The codes of the inventory's diagnostics, in order.
pub fn codes(inv: &Inventory) -> Vec<&'static str> {
    inv.diagnostics
        .iter()
        .map(|(_, d)| d.code.as_str())
        .collect()
}

/// `fixtures/inventories`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/inventories")
}

/// A directory under the system temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "kmsguard-inventory-{name}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` at `rel`, creating directories.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
