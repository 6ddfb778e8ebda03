//! Finding and reading input files.

use std::io;
use std::path::{Path, PathBuf};

/// An input file found by [`discover`].
#[derive(Debug)]
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    /// The directory of [`Inputs`] the file was found in (an index of its open directories)
    /// and where the file's name starts in `path`; `None` for a file named on the command line,
    /// and for one found while [`MAX_OPEN_DIRS`] directories were already open.
    at: Option<(u32, u32)>,
}

/// The inputs found under the command-line paths, with the directories they were found in
/// held open while the files are read.
///
/// A file is opened by its name relative to its open directory: the kernel then looks up one
/// name instead of every component of the path. For the 1,645 managed policies in one
/// directory that was 10% of the time of opening, reading and closing them (`scripts/ab.py`
/// of two C programs doing only that, four copies each, 100 rounds).
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    pub(crate) files: Vec<Input>,
    #[cfg(unix)]
    dirs: Vec<std::os::fd::OwnedFd>,
}

/// At most this many directories of a walk are held open (the others' files are opened by
/// their whole paths), far below the usual limit of 1,024 open files of a process.
const MAX_OPEN_DIRS: usize = 64;

impl Inputs {
    /// Opens `input` (one of [`Inputs::files`]) for reading.
    fn open(&self, input: &Input) -> io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some((dir, name_at)) = input.at
            && let Some(dir) = self.dirs.get(dir as usize)
            && let Some(name) = input
                .path
                .as_os_str()
                .as_encoded_bytes()
                .get(name_at as usize..)
        {
            use nix::fcntl::OFlag;
            // What `File::open` asks for: reading, closed on `exec`.
            let fd = nix::fcntl::openat(
                dir,
                name,
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )?;
            return Ok(std::fs::File::from(fd));
        }
        std::fs::File::open(&input.path)
    }

    /// [`read_bounded_into`] for `input` (one of [`Inputs::files`]).
    pub(crate) fn read_into(
        &self,
        input: &Input,
        max_bytes: usize,
        bytes: &mut Vec<u8>,
    ) -> io::Result<Result<(), u64>> {
        read_open_into(self.open(input)?, max_bytes, bytes)
    }
}

/// Expands the command-line paths: files as given, directories walked for `*.json`, `*.yaml`
/// and `*.yml` files (YAML is read as CloudFormation).
/// The result is sorted and free of duplicates so that output order never depends on the file
/// system. Errors name the path that could not be read.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Inputs, (PathBuf, io::Error)> {
    let mut out = Inputs::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| (path.clone(), e))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.files.push(Input {
                path: path.clone(),
                at: None,
            });
        }
    }
    // One directory's walk is already in `Path` order (see `walk`); only several command-line
    // paths need sorting together, and may name a file twice.
    if paths.len() > 1 {
        out.files.sort_by(|a, b| a.path.cmp(&b.path));
        out.files.dedup_by(|a, b| a.path == b.path);
    }
    Ok(out)
}

/// Adds the inputs under `dir` to `out` in `Path` order, which compares paths component by
/// component: all of them start with `dir`, so visiting each directory's entries sorted by
/// name (the bytes `Path` compares a component by), each subdirectory's inputs in its place,
/// gives that order without comparing whole paths (sorting them afterwards cost more than
/// reading the directory).
fn walk(dir: &Path, out: &mut Inputs) -> Result<(), (PathBuf, io::Error)> {
    // Each entry's path is made once and moved into `out`, with the length of its name.
    let mut found = Vec::new();
    let open = entries(dir, open_dirs(out) < MAX_OPEN_DIRS, |name, is_dir| {
        let bytes = name.as_encoded_bytes();
        let is_dir = match is_dir {
            Some(is_dir) => is_dir,
            // The directory did not say: asked of the entry itself, not followed if a link.
            None => {
                let path = join(dir, name);
                match std::fs::symlink_metadata(&path) {
                    Ok(meta) => meta.is_dir(),
                    Err(e) => return Err((path, e)),
                }
            }
        };
        if is_dir {
            // Hidden directories (`.git`, `.terraform`) hold no inputs.
            if bytes.first() != Some(&b'.') {
                found.push((join(dir, name), true, bytes.len()));
            }
        } else if is_input_name(bytes) {
            found.push((join(dir, name), false, bytes.len()));
        }
        Ok(())
    })?;
    // Held open only for files of its own: a directory of directories would take a place
    // among the few kept open for nothing.
    let dir_index = if found.iter().any(|&(_, is_dir, _)| !is_dir) {
        keep_open(out, open)
    } else {
        None
    };
    // Every path is `dir` joined with one name: the same bytes up to the name, so ordering
    // the whole paths' bytes orders the names.
    found.sort_unstable_by(|a, b| {
        a.0.as_os_str()
            .as_encoded_bytes()
            .cmp(b.0.as_os_str().as_encoded_bytes())
    });
    out.files.reserve(found.len());
    for (path, is_dir, name_len) in found {
        if !is_dir {
            // The name ends the path (see `join`).
            let name_at = path.as_os_str().len().checked_sub(name_len);
            let at = dir_index.zip(name_at.and_then(|n| u32::try_from(n).ok()));
            out.files.push(Input { path, at });
        } else if !path.join("kmsguard.inventory.toml").is_file() {
            // A directory with a `kmsguard.inventory.toml` is an inventory for `kmsguard
            // scan`, whose files (bucket settings, image attributes) are not documents `check`
            // and `lint` read.
            walk(&path, out)?;
        }
    }
    Ok(())
}

/// How many directories `out` holds open.
#[cfg(unix)]
fn open_dirs(out: &Inputs) -> usize {
    out.dirs.len()
}

/// Keeps `open` (a directory [`entries`] held open) in `out`, and gives its index there.
#[cfg(unix)]
fn keep_open(out: &mut Inputs, open: Option<std::os::fd::OwnedFd>) -> Option<u32> {
    let fd = open?;
    let index = u32::try_from(out.dirs.len()).ok()?;
    out.dirs.push(fd);
    Some(index)
}

/// No directory is held open elsewhere.
#[cfg(not(unix))]
fn open_dirs(_: &Inputs) -> usize {
    MAX_OPEN_DIRS
}

/// See the Unix [`keep_open`].
#[cfg(not(unix))]
fn keep_open(_: &mut Inputs, (): ()) -> Option<u32> {
    None
}

/// Calls `each` with the name of every entry of `dir` but `.` and `..`, and whether it is a
/// directory (a symbolic link is not) when the directory listing says (`None` when it does
/// not), as `std::fs::read_dir` and `DirEntry::file_type` see them. On Unix the names are
/// read in place from the listing: `read_dir` copies each name twice into memory of its own
/// (its entry and `file_name`), which a walk over a thousand files paid on the thread that
/// every file then waits for. An error reading the listing is reported against `dir`.
///
/// With `keep`, the directory is given back open, to open its files by name.
#[cfg(unix)]
fn entries(
    dir: &Path,
    keep: bool,
    mut each: impl FnMut(&std::ffi::OsStr, Option<bool>) -> Result<(), (PathBuf, io::Error)>,
) -> Result<Option<std::os::fd::OwnedFd>, (PathBuf, io::Error)> {
    use nix::dir::{Dir, Type};
    use nix::fcntl::OFlag;
    use std::os::unix::ffi::OsStrExt;
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let failed = |e: nix::Error| (dir.to_path_buf(), io::Error::from(e));
    let fd = nix::fcntl::open(dir, flags, nix::sys::stat::Mode::empty()).map_err(failed)?;
    // The listing takes a copy of the descriptor (they share the reading position, which
    // opening files by name does not use).
    let (mut listing, kept) = if keep {
        let copy = fd.try_clone().map_err(|e| (dir.to_path_buf(), e))?;
        (Dir::from_fd(copy).map_err(failed)?, Some(fd))
    } else {
        (Dir::from_fd(fd).map_err(failed)?, None)
    };
    for entry in listing.iter() {
        let entry = entry.map_err(failed)?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let is_dir = entry.file_type().map(|t| t == Type::Directory);
        each(std::ffi::OsStr::from_bytes(name), is_dir)?;
    }
    Ok(kept)
}

/// Elsewhere `std::fs::read_dir` lists them, and no directory is kept open.
#[cfg(not(unix))]
fn entries(
    dir: &Path,
    _keep: bool,
    mut each: impl FnMut(&std::ffi::OsStr, Option<bool>) -> Result<(), (PathBuf, io::Error)>,
) -> Result<(), (PathBuf, io::Error)> {
    let failed = |e| (dir.to_path_buf(), e);
    for entry in std::fs::read_dir(dir).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        let is_dir = entry.file_type().map_err(|e| (entry.path(), e))?.is_dir();
        each(&entry.file_name(), Some(is_dir))?;
    }
    Ok(())
}

/// `dir` joined with the name of one of its entries, as `Path::join` makes it. On Unix the
/// path is built at its final length: `join` copies `dir`, then grows the copy for the name,
/// which a walk over a thousand files paid in a second allocation and copy for each.
#[cfg(unix)]
fn join(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let dir = dir.as_os_str();
    let sep = !dir.is_empty() && !dir.as_encoded_bytes().ends_with(b"/");
    let mut path =
        std::ffi::OsString::with_capacity(dir.len().saturating_add(name.len()).saturating_add(1));
    path.push(dir);
    if sep {
        path.push("/");
    }
    path.push(name);
    PathBuf::from(path)
}

/// Elsewhere `Path::join`'s rules (drive prefixes and the like) decide.
#[cfg(not(unix))]
fn join(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    dir.join(name)
}

/// Whether a file named `name` is an input: its extension (what `Path::extension` gives: after
/// the last dot, unless that dot starts the name) is `json`, `yaml` or `yml` in any case.
/// Read from the bytes, as a thousand-file walk does it for every name.
fn is_input_name(name: &[u8]) -> bool {
    extension_is(name, &[b"json", b"yaml", b"yml"])
}

/// Whether the file name `name` has one of `extensions` (in any case), read as
/// `Path::extension` reads it: after the last dot, unless that dot starts the name.
fn extension_is(name: &[u8], extensions: &[&[u8]]) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.').filter(|&d| d > 0) else {
        return false;
    };
    let ext = name.get(dot.saturating_add(1)..).unwrap_or_default();
    extensions.iter().any(|x| ext.eq_ignore_ascii_case(x))
}

/// Whether `path` names a YAML file (`.yaml` or `.yml` in any case), which is read as
/// CloudFormation. On Unix the name is the bytes after the last `/`, where
/// `Path::extension` parses the path's components from the end (about 400 instructions a
/// file, for every file of a thousand-file run). A path whose last component is not a plain
/// name (empty after a trailing `/`, `.` or `..`) is left to `Path::extension`.
pub(crate) fn is_yaml(path: &Path) -> bool {
    const YAML: [&[u8]; 2] = [b"yaml", b"yml"];
    #[cfg(unix)]
    {
        let bytes = path.as_os_str().as_encoded_bytes();
        let name = bytes
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(bytes, |slash| {
                bytes.get(slash.saturating_add(1)..).unwrap_or_default()
            });
        if !matches!(name, b"" | b"." | b"..") {
            return extension_is(name, &YAML);
        }
    }
    path.extension().is_some_and(|e| {
        YAML.iter()
            .any(|x| e.as_encoded_bytes().eq_ignore_ascii_case(x))
    })
}

/// Reads a file, refusing one larger than `max_bytes` from its size once its first 256 KiB are
/// read, so that memory stays bounded. `Ok(Err(size))` means "too large", with its size.
pub(crate) fn read_bounded(path: &Path, max_bytes: usize) -> io::Result<Result<Vec<u8>, u64>> {
    let mut bytes = Vec::new();
    Ok(read_bounded_into(path, max_bytes, &mut bytes)?.map(|()| bytes))
}

/// [`read_bounded`] into `bytes` (emptied first), whose memory a caller reading file after
/// file reuses: a thousand texts of different lengths allocated one after another spread over
/// the allocator's size classes, and each page first touched costs a page fault.
///
/// Most inputs are small files read by the thousand, where the system calls cost more than the
/// bytes: the file is read without asking its size first (`open`, `read`, `read` at the end,
/// `close`; `std::fs::read` adds a `stat` of the file). `read_to_end` reads into the spare
/// capacity as it is, without clearing it first. Only a file that fills the first 256 KiB has
/// its size asked.
pub(crate) fn read_bounded_into(
    path: &Path,
    max_bytes: usize,
    bytes: &mut Vec<u8>,
) -> io::Result<Result<(), u64>> {
    read_open_into(std::fs::File::open(path)?, max_bytes, bytes)
}

/// [`read_bounded_into`] of a file opened already, into `bytes` (emptied first).
fn read_open_into(
    mut file: std::fs::File,
    max_bytes: usize,
    bytes: &mut Vec<u8>,
) -> io::Result<Result<(), u64>> {
    use std::io::Read;
    /// Large enough for nearly every policy and CLI output.
    const CHUNK: u64 = 256 * 1024;
    bytes.clear();
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let first = limit.min(CHUNK);
    // Until the end (a pipe gives its bytes in pieces) or `first` bytes.
    (&mut file).take(first).read_to_end(bytes)?;
    let len = |bytes: &Vec<u8>| u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len(bytes) < first {
        return Ok(Ok(()));
    }
    // The chunk is full: a large file, refused from its size before more of it is read.
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
    let read_so_far = len(bytes);
    (&mut file)
        .take(limit.saturating_sub(read_so_far))
        .read_to_end(bytes)?;
    if bytes.len() > max_bytes {
        return Ok(Err(len(bytes)));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::{MAX_OPEN_DIRS, discover, is_input_name, is_yaml, join, read_bounded_into};
    use std::path::{Path, PathBuf};

    /// Every input under `dir`, found the plain way: each entry's `Path::extension`, then one
    /// sort of the whole paths.
    fn inputs_by_sorting(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && !path.join("kmsguard.inventory.toml").is_file() {
                    inputs_by_sorting(&path, out);
                }
            } else if path.extension().is_some_and(|e| {
                ["json", "yaml", "yml"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            }) {
                out.push(path);
            }
        }
    }

    /// The walk finds what the plain way finds, in `Path` order, for names that order
    /// differently as whole paths than component by component (`a/x.json` before
    /// `a-b/x.json`, though `-` is below `/`), hidden and inventory directories, and names
    /// that are not inputs.
    #[test]
    fn walk_finds_the_inputs_in_path_order() {
        let root = std::env::temp_dir().join(format!("kmsguard-walk-{}", std::process::id()));
        let files = [
            "a.json",
            "a/x.json",
            "a/y.YAML",
            "a-b/x.json",
            "a.b/z.yml",
            "A/x.json",
            "b.txt",
            "b.json.txt",
            ".hidden/x.json",
            ".x.json",
            "inv/kmsguard.inventory.toml",
            "inv/x.json",
            "\u{e9}t\u{e9}.json",
            "z/z/z/deep.json",
            "z/z.json",
            "z0.json",
        ];
        for f in files {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "{}").unwrap();
        }
        let mut expected = Vec::new();
        inputs_by_sorting(&root, &mut expected);
        expected.sort();
        let found: Vec<PathBuf> = discover(std::slice::from_ref(&root))
            .unwrap()
            .files
            .into_iter()
            .map(|f| f.path)
            .collect();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, expected);
        assert_eq!(found.len(), 11);
    }

    /// A directory's entries are `read_dir`'s, with `DirEntry::file_type`'s answer to whether
    /// each is a directory (links are not, whatever they point to), and an unreadable
    /// directory's error names it.
    #[cfg(unix)]
    #[test]
    fn entries_are_read_dirs() {
        use super::entries;
        let root = std::env::temp_dir().join(format!("kmsguard-entries-{}", std::process::id()));
        for d in ["d", ".h", "d.json"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["a.json", "b", ".c.yml"] {
            std::fs::write(root.join(f), "{}").unwrap();
        }
        for (link, to) in [
            ("ld", "d"),
            ("ld.json", "d"),
            ("la.json", "a.json"),
            ("gone.json", "x"),
        ] {
            std::os::unix::fs::symlink(root.join(to), root.join(link)).unwrap();
        }
        let mut expected: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), e.file_type().unwrap().is_dir())
            })
            .collect();
        let mut found = Vec::new();
        let listed = entries(&root, true, |name, is_dir| {
            let is_dir = is_dir
                .unwrap_or_else(|| std::fs::symlink_metadata(root.join(name)).unwrap().is_dir());
            found.push((name.to_os_string(), is_dir));
            Ok(())
        });
        let missing = entries(&root.join("none"), false, |_, _| Ok(()));
        std::fs::remove_dir_all(&root).unwrap();
        assert!(
            listed.unwrap().is_some(),
            "the directory is given back open"
        );
        expected.sort();
        found.sort();
        assert_eq!(found, expected);
        assert_eq!(found.iter().filter(|(_, d)| *d).count(), 3);
        let (path, e) = missing.unwrap_err();
        assert_eq!(path, root.join("none"));
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    }

    /// A walked file read through its open directory gives what reading its path gives: files
    /// of the same name in different directories, a link, directories beyond those held open,
    /// a file named on the command line, and a file gone since the walk (the same error).
    #[test]
    fn inputs_read_what_their_paths_hold() {
        let root = std::env::temp_dir().join(format!("kmsguard-inputs-{}", std::process::id()));
        let dirs = MAX_OPEN_DIRS + 6;
        for d in 0..dirs {
            let dir = root.join(format!("d{d:03}"));
            std::fs::create_dir_all(&dir).unwrap();
            for f in ["a.json", "b.json"] {
                let path = dir.join(f);
                std::fs::write(&path, path.to_string_lossy().as_bytes()).unwrap();
            }
        }
        std::fs::write(root.join("top.json"), "top").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("d000/a.json"), root.join("link.json")).unwrap();
        let named = root.join("d001/b.json");
        let inputs = discover(&[root.clone(), named.clone()]).unwrap();
        // The root and the first directories below it are held open; the files of the others
        // are opened by path.
        let by_dir = inputs.files.iter().filter(|f| f.at.is_some()).count();
        let expected = if cfg!(unix) {
            2 * (MAX_OPEN_DIRS - 1) + 1 + usize::from(cfg!(unix))
        } else {
            0
        };
        assert_eq!(by_dir, expected);
        let gone = root.join("d002/a.json");
        std::fs::remove_file(&gone).unwrap();
        let mut buf = Vec::new();
        let mut read = 0;
        for input in &inputs.files {
            let through_dir = inputs.read_into(input, 1 << 20, &mut buf).map(|r| {
                r.unwrap();
                buf.clone()
            });
            match std::fs::read(&input.path) {
                Ok(bytes) => {
                    assert_eq!(through_dir.unwrap(), bytes, "{}", input.path.display());
                    read += 1;
                }
                Err(e) => {
                    assert_eq!(input.path, gone);
                    assert_eq!(through_dir.unwrap_err().to_string(), e.to_string());
                }
            }
        }
        std::fs::remove_dir_all(&root).unwrap();
        // Two files in each directory and the top one, the link, less the one gone; the file
        // named as well is read once.
        assert_eq!(read, 2 * dirs + 1 + usize::from(cfg!(unix)) - 1);
        assert_eq!(inputs.files.iter().filter(|f| f.path == named).count(), 1);
    }

    /// An entry's path is what `Path::join` makes of the directory and the name.
    #[test]
    fn entry_paths_are_joined_paths() {
        for name in ["a.json", ".x", "\u{e9}.yml", "a b", "x", "a\\b"] {
            for dir in ["", "d", "d/", "d//", "/", "/d/e", "./d", "..", "d/."] {
                let name = std::ffi::OsStr::new(name);
                assert_eq!(join(Path::new(dir), name), Path::new(dir).join(name));
                assert_eq!(
                    join(Path::new(dir), name).as_os_str(),
                    Path::new(dir).join(name).as_os_str(),
                    "{dir} {name:?}"
                );
            }
        }
    }

    /// Files of every length around the first chunk and the limit read whole, or are refused
    /// with their size; the buffer handed in is emptied first and may start with any capacity.
    #[test]
    fn bounded_reads_give_the_whole_file_or_its_size() {
        const CHUNK: usize = 256 * 1024;
        let dir = std::env::temp_dir().join(format!("kmsguard-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.json");
        let lengths = [
            0,
            1,
            31,
            32,
            33,
            8191,
            8192,
            8193,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            700_000,
        ];
        for &len in &lengths {
            let text: Vec<u8> = (0..len).map(|i| b"abcdefghij"[i % 10]).collect();
            std::fs::write(&path, &text).unwrap();
            for max in [0, 10, 8192, CHUNK - 1, CHUNK, CHUNK + 1, 1 << 20] {
                for capacity in [0, 16, 64 * 1024] {
                    let mut buf = Vec::with_capacity(capacity);
                    buf.extend_from_slice(b"left over");
                    let got = read_bounded_into(&path, max, &mut buf).unwrap();
                    if len <= max {
                        assert_eq!(got, Ok(()), "len {len} max {max}");
                        assert!(buf == text, "len {len} max {max} capacity {capacity}");
                    } else {
                        assert_eq!(got, Err(len as u64), "len {len} max {max}");
                    }
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

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

    /// `is_yaml` reads the name from the bytes as `Path::extension` does, for plain names,
    /// hidden files, several dots, no dot, directories in the path, and the components
    /// (`.`, `..`, a trailing `/`) it leaves to `Path::extension`.
    #[test]
    fn yaml_paths_as_path_extension_reads_them() {
        let by_path = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
        };
        let names = [
            "t.yaml",
            "t.YML",
            "t.Yaml",
            "t.yml.json",
            "t.json.yaml",
            ".yaml",
            ".yml",
            "..yaml",
            "a..yml",
            "a.",
            "a",
            "yaml",
            "t.yamll",
            "t.yam",
            "t.yaml.",
            ".",
            "..",
            "",
        ];
        let dirs = ["", "/", "d/", "./d.yaml/", "/x/.y/", "a.yml/b/"];
        let mut yaml = 0;
        for dir in dirs {
            for name in names {
                for tail in ["", "/", "/.", "/.."] {
                    let text = format!("{dir}{name}{tail}");
                    let path = Path::new(&text);
                    assert_eq!(is_yaml(path), by_path(path), "{text:?}");
                    yaml += usize::from(by_path(path));
                }
            }
        }
        // The cases include both answers.
        assert!(yaml > 10, "{yaml}");
    }
}
