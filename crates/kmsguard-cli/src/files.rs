//! Finding and reading input files.

use std::io;
use std::path::{Path, PathBuf};

/// Expands the command-line paths: files as given, directories walked for `*.json`, `*.yaml`
/// and `*.yml` files (YAML is read as CloudFormation).
/// The result is sorted and free of duplicates so that output order never depends on the file
/// system. Errors name the path that could not be read.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, (PathBuf, io::Error)> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| (path.clone(), e))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, io::Error)> {
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| (path.clone(), e))?;
        if file_type.is_dir() {
            // Hidden directories (`.git`, `.terraform`) hold no inputs, and a directory with
            // a `kmsguard.inventory.toml` is an inventory for `kmsguard scan`, whose files
            // (bucket settings, image attributes) are not documents `check` and `lint` read.
            if !entry.file_name().to_string_lossy().starts_with('.')
                && !path.join("kmsguard.inventory.toml").is_file()
            {
                walk(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| {
            ["json", "yaml", "yml"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        }) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a file, refusing one larger than `max_bytes` before reading it so that memory stays
/// bounded. `Ok(None)` means "too large", with its size.
pub(crate) fn read_bounded(path: &Path, max_bytes: usize) -> io::Result<Result<Vec<u8>, u64>> {
    let size = std::fs::metadata(path)?.len();
    if usize::try_from(size).map_or(true, |s| s > max_bytes) {
        return Ok(Err(size));
    }
    std::fs::read(path).map(Ok)
}
