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
    // One directory's walk is already in `Path` order (see `walk`); only several command-line
    // paths need sorting together, and may name a file twice.
    if paths.len() > 1 {
        out.sort();
        out.dedup();
    }
    Ok(out)
}

/// Adds the inputs under `dir` to `out` in `Path` order, which compares paths component by
/// component: all of them start with `dir`, so visiting each directory's entries sorted by
/// name (the bytes `Path` compares a component by), each subdirectory's inputs in its place,
/// gives that order without comparing whole paths (sorting them afterwards cost more than
/// reading the directory).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, io::Error)> {
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let name = entry.file_name();
        let file_type = entry.file_type().map_err(|e| (entry.path(), e))?;
        if file_type.is_dir() {
            // Hidden directories (`.git`, `.terraform`) hold no inputs.
            if name.as_encoded_bytes().first() != Some(&b'.') {
                found.push((name, true));
            }
        } else if is_input_name(name.as_encoded_bytes()) {
            found.push((name, false));
        }
    }
    found.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
    for (name, is_dir) in found {
        let path = dir.join(name);
        if !is_dir {
            out.push(path);
        } else if !path.join("kmsguard.inventory.toml").is_file() {
            // A directory with a `kmsguard.inventory.toml` is an inventory for `kmsguard
            // scan`, whose files (bucket settings, image attributes) are not documents `check`
            // and `lint` read.
            walk(&path, out)?;
        }
    }
    Ok(())
}

/// Whether a file named `name` is an input: its extension (what `Path::extension` gives: after
/// the last dot, unless that dot starts the name) is `json`, `yaml` or `yml` in any case.
/// Read from the bytes, as a thousand-file walk does it for every name.
fn is_input_name(name: &[u8]) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.').filter(|&d| d > 0) else {
        return false;
    };
    let ext = name.get(dot.saturating_add(1)..).unwrap_or_default();
    [&b"json"[..], b"yaml", b"yml"]
        .iter()
        .any(|x| ext.eq_ignore_ascii_case(x))
}

/// Reads a file, refusing one larger than `max_bytes` from its size once its first 256 KiB are
/// read, so that memory stays bounded. `Ok(Err(size))` means "too large", with its size.
pub(crate) fn read_bounded(path: &Path, max_bytes: usize) -> io::Result<Result<Vec<u8>, u64>> {
    read_bounded_with(path, max_bytes, <[u8]>::to_vec)
}

/// [`read_bounded`], handing the bytes to `take` instead of returning them, so that a caller
/// that keeps them in another form (a source file's shared text) copies them once.
///
/// Most inputs are small files read by the thousand, where the system calls cost more than the
/// bytes: the file is read into a reused per-thread buffer without asking its size first
/// (`open`, `read`, `read` at the end, `close`; `std::fs::read` adds a `stat` of the path and
/// one of the file). Only a file that fills the buffer has its size asked.
pub(crate) fn read_bounded_with<R>(
    path: &Path,
    max_bytes: usize,
    take: impl FnOnce(&[u8]) -> R,
) -> io::Result<Result<R, u64>> {
    use std::io::Read;
    /// Large enough for nearly every policy and CLI output.
    const CHUNK: usize = 256 * 1024;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = std::fs::File::open(path)?;
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let want = usize::try_from(limit).map_or(CHUNK, |l| l.min(CHUNK));
    let mut take = Some(take);
    let first = BUFFER.with(|cell| -> io::Result<Result<R, Vec<u8>>> {
        let mut local = Vec::new();
        let mut buf = cell.try_borrow_mut();
        let buf = buf.as_deref_mut().unwrap_or(&mut local);
        buf.resize(want, 0);
        // Until the end (a pipe gives its bytes in pieces) or a full buffer.
        let mut filled = 0;
        while let Some(free) = buf.get_mut(filled..).filter(|f| !f.is_empty()) {
            match file.read(free) {
                Ok(0) => break,
                Ok(n) => filled = filled.saturating_add(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let bytes = buf.get(..filled).unwrap_or_default();
        if filled < want {
            if let Some(take) = take.take() {
                return Ok(Ok(take(bytes)));
            }
        }
        Ok(Err(bytes.to_vec()))
    })?;
    let mut bytes = match first {
        Ok(r) => return Ok(Ok(r)),
        Err(bytes) => bytes,
    };
    // The buffer is full: a large file, refused from its size before more of it is read.
    let size = file.metadata()?.len();
    if usize::try_from(size).map_or(true, |s| s > max_bytes) {
        return Ok(Err(size));
    }
    bytes.reserve(
        usize::try_from(size)
            .unwrap_or(0)
            .saturating_sub(bytes.len())
            .saturating_add(1),
    );
    let read_so_far = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    (&mut file)
        .take(limit.saturating_sub(read_so_far))
        .read_to_end(&mut bytes)?;
    if bytes.len() > max_bytes {
        return Ok(Err(u64::try_from(bytes.len()).unwrap_or(u64::MAX)));
    }
    match take {
        Some(take) => Ok(Ok(take(&bytes))),
        None => Err(io::Error::other("the file was handed over twice")),
    }
}

#[cfg(test)]
mod tests {
    use super::is_input_name;
    use std::path::Path;

    /// The byte test agrees with `Path::extension` on names with dots in every place.
    #[test]
    fn input_names_as_path_extension_reads_them() {
        let names = [
            "a.json",
            "A.JSON",
            "a.Yml",
            "b.yaml",
            ".json",
            "..json",
            ".a.json",
            "a..json",
            "a.json.txt",
            "a.txt.json",
            "json",
            "a.",
            ".",
            "..",
            "a.jso",
            "a.jsonx",
            "x.yml",
            ".yml",
            "a b.yaml",
            "\u{e9}.json",
            "a.\u{e9}json",
        ];
        for name in names {
            let by_path = Path::new(name).extension().is_some_and(|e| {
                ["json", "yaml", "yml"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            });
            assert_eq!(is_input_name(name.as_bytes()), by_path, "{name}");
        }
    }
}
