//! Outputs that are never half-written, and never at the cost of a user's files.
//!
//! [`OutputDir`] stages a whole report directory next to its final location and
//! moves it into place on [`OutputDir::commit`]; [`write_atomic`] writes a single
//! file through a temporary sibling and a rename. Both rely on `rename` within one
//! directory, which is atomic on POSIX file systems.
//!
//! The rules for the output folder (`--out`):
//!
//! * a folder that does not exist, or is empty, is drgsim's;
//! * a folder holding a [`MANIFEST`] is a previous drgsim output: the files the
//!   manifest lists are replaced, everything else in it is left alone;
//! * any other folder is refused unless the user passes `--force`, and then
//!   drgsim only adds its files (replacing files of the same name) and deletes
//!   nothing;
//! * the working directory, the folder of an input file, and any folder holding
//!   one of them are refused, even with `--force`.
//!
//! Staging folders are registered while they exist so that a signal handler
//! (see [`remove_staging_dirs`]) can remove them; a staging folder left by a
//! killed run is removed by the next run that writes next to it.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Errors from writing reports: file system problems and charts that cannot be drawn.
///
/// Every message names the path involved and says what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A directory (the output directory, its parent or a staging directory) could not be created.
    #[error("cannot create output directory {}: {}; choose another --out", .path.display(), io_msg(.source))]
    CreateDir {
        /// Directory that could not be created.
        path: PathBuf,
        /// Underlying I/O error.
        source: io::Error,
    },
    /// The output path cannot be used as a directory (for example it is `/` or names an existing file).
    #[error("cannot use {} as output directory: {reason}; choose another --out", .path.display())]
    BadOutputPath {
        /// Offending path.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// The output folder holds files drgsim did not write.
    #[error("{} is not empty and is not a drgsim output folder: {what}. drgsim will not write there so that nothing of yours is overwritten; choose another --out (a new folder), or pass --force to add drgsim's files to it (files of the same name are replaced, nothing is deleted)", .path.display())]
    Occupied {
        /// The output folder.
        path: PathBuf,
        /// What is in it.
        what: String,
    },
    /// A file could not be written.
    #[error("cannot write {}: {}; check permissions and free disk space, or choose another --out", .path.display(), io_msg(.source))]
    Write {
        /// File that could not be written.
        path: PathBuf,
        /// Underlying I/O error.
        source: io::Error,
    },
    /// A finished file or directory could not be moved into its final place.
    #[error("cannot move {} into place as {}: {}; the previous contents of {} were kept, check permissions or choose another --out", .from.display(), .to.display(), io_msg(.source), .to.display())]
    Rename {
        /// Temporary file or staging directory.
        from: PathBuf,
        /// Final destination.
        to: PathBuf,
        /// Underlying I/O error.
        source: io::Error,
    },
    /// An existing output directory could not be moved aside to be replaced.
    #[error("cannot replace existing {}: {}; remove it by hand or choose another --out", .path.display(), io_msg(.source))]
    Replace {
        /// Existing directory that was to be replaced.
        path: PathBuf,
        /// Underlying I/O error.
        source: io::Error,
    },
    /// The data handed to a chart function cannot be drawn (mismatched lengths, no data, ...).
    #[error("cannot draw chart {}: {reason}", .path.display())]
    InvalidChart {
        /// Chart stem (output path without extension).
        path: PathBuf,
        /// What is wrong with the data.
        reason: String,
    },
    /// The plotting library failed while drawing or encoding a chart.
    #[error("failed to render chart {}: {reason}; check permissions and free disk space, or report this as a drgsim bug", .path.display())]
    Render {
        /// File being rendered.
        path: PathBuf,
        /// Error reported by the plotting library.
        reason: String,
    },
    /// A table holds a number that is not finite (`inf`, `NaN`): nothing is
    /// written (see `report::finite`).
    #[error("{}: {row}, column {column} is `{value}`, not a finite number; drgsim writes no file with inf or NaN in it. Check the inputs behind this figure (ranges, distributions, --set values) so that the fund's spending and balance stay finite", .path.display())]
    NonFinite {
        /// File (or workbook) that would have held it.
        path: PathBuf,
        /// The row: line and its fund / year / parameter cells.
        row: String,
        /// Column header.
        column: String,
        /// The cell's text.
        value: String,
    },
    /// The bundled chart font could not be loaded (the binary is damaged).
    #[error("cannot load the bundled chart font DrgsimSansSC.ttf; reinstall drgsim")]
    Font,
}

/// Short lower-case description of an I/O error for user-facing messages.
fn io_msg(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::AlreadyExists => "already exists".to_string(),
        io::ErrorKind::StorageFull => "no space left on device".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "read-only file system".to_string(),
        _ => e.to_string(),
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique hidden sibling of `path`: `.{name}.{tag}-{pid}-{counter}{ext}`.
///
/// `ext` (for example `".png"`) is appended so that encoders that pick the format
/// from the file extension still work on the temporary file.
pub(crate) fn temp_sibling(path: &Path, tag: &str, ext: &str) -> PathBuf {
    let parent = parent_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".{name}.{tag}-{}-{n}{ext}", std::process::id()))
}

/// Parent directory of `path`, `.` for a bare file name.
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Append `suffix` to a path without touching any existing extension
/// (`a/b.v2` + `.svg` = `a/b.v2.svg`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Create the parent directory of `path` if it is missing.
fn ensure_parent(path: &Path) -> Result<(), ReportError> {
    let parent = parent_of(path);
    if ABORTING.load(Ordering::SeqCst) {
        return Err(ReportError::CreateDir {
            path: parent,
            source: io::Error::new(io::ErrorKind::Interrupted, "interrupted"),
        });
    }
    fs::create_dir_all(&parent).map_err(|source| ReportError::CreateDir {
        path: parent,
        source,
    })
}

/// Write `bytes` to `path` atomically: write a temporary sibling, flush it to disk,
/// then rename it over `path`. Readers see either the old file or the complete new
/// one, never a partial file. Missing parent directories are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    ensure_parent(path)?;
    let tmp = temp_sibling(path, "tmp", "");
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(source) = result {
        let _ = fs::remove_file(&tmp);
        return Err(ReportError::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    rename_into_place(&tmp, path)
}

/// Rename a finished temporary file onto `dest`, removing the temporary file on failure.
pub(crate) fn rename_into_place(tmp: &Path, dest: &Path) -> Result<(), ReportError> {
    fs::rename(tmp, dest).map_err(|source| {
        let _ = fs::remove_file(tmp);
        ReportError::Rename {
            from: tmp.to_path_buf(),
            to: dest.to_path_buf(),
            source,
        }
    })
}

/// The file drgsim writes into every output folder, listing the files it wrote
/// (JSON: `{"generator": "drgsim 0.1.0", "files": ["projection.csv", ...]}`).
/// A folder holding it is recognised as a previous drgsim output.
pub const MANIFEST: &str = ".drgsim-manifest.json";

/// Marker written into a staging folder (it holds the process id), so that a
/// later run can tell a staging folder left by a killed drgsim from anything else.
const STAGING_MARK: &str = ".drgsim-staging";

/// Staging folders of this process that are not yet committed or dropped.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set once the process is being interrupted: no new folders are created.
static ABORTING: AtomicBool = AtomicBool::new(false);

fn active() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove every staging folder of this process. Called from the Ctrl-C/SIGTERM
/// handler in `main.rs`; if a commit is moving files into place it waits for it
/// to finish, so an interrupted run leaves either the previous output or the
/// complete new one. Returns the folders removed.
pub fn remove_staging_dirs() -> Vec<PathBuf> {
    // Writers still running stop creating folders (see `ensure_parent`); a file
    // a writer creates while a folder is being removed makes the removal fail,
    // so it is retried until the folder is gone.
    ABORTING.store(true, Ordering::SeqCst);
    let mut dirs = active();
    let removed: Vec<PathBuf> = dirs.drain(..).collect();
    for d in &removed {
        for _ in 0..100 {
            if fs::remove_dir_all(d).is_ok() || !d.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    // Keep the lock until the process exits so no new staging folder or commit starts.
    std::mem::forget(dirs);
    removed
}

/// What may be done with an existing output folder.
#[derive(Debug, Clone, Default)]
pub struct OutputPolicy {
    /// `--force`: write into a folder that holds other files (adding and
    /// replacing drgsim's files only; nothing is deleted).
    pub force: bool,
    /// Input files (scenarios, tables) whose folders must never be used as output.
    pub inputs: Vec<PathBuf>,
}

impl OutputPolicy {
    /// A policy for a command reading `inputs`, with the user's `--force`.
    pub fn new(force: bool, inputs: &[&Path]) -> OutputPolicy {
        OutputPolicy {
            force,
            inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
        }
    }
}

/// The manifest's content.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    generator: String,
    files: Vec<String>,
}

/// A manifest entry is a plain relative path (no `..`, no root): anything else
/// is ignored, so a damaged manifest can never make drgsim touch files outside
/// the output folder.
fn safe_rel(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(rel);
    let ok = !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    ok.then_some(p)
}

/// The files a previous drgsim run listed in `dir`'s manifest; `Ok(None)` when
/// there is no manifest, `Err` with the reason when it cannot be read.
fn read_manifest(dir: &Path) -> Result<Option<Vec<PathBuf>>, String> {
    let path = dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("its {MANIFEST} cannot be read: {}", io_msg(&e))),
    };
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("its {MANIFEST} is not a drgsim manifest ({e})"))?;
    Ok(Some(m.files.iter().filter_map(|f| safe_rel(f)).collect()))
}

/// `path` made absolute with symlinks resolved as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => abs,
    }
}

/// Why `final_dir` must never be written into, if it is the working directory,
/// an input's folder, or a folder holding one of them.
fn protected(final_dir: &Path, policy: &OutputPolicy) -> Option<String> {
    let target = absolute(final_dir);
    if let Ok(cwd) = std::env::current_dir() {
        let cwd = absolute(&cwd);
        if cwd.starts_with(&target) {
            return Some(if cwd == target {
                "it is the working directory".to_string()
            } else {
                format!("it holds the working directory {}", cwd.display())
            });
        }
    }
    for input in &policy.inputs {
        let folder = absolute(&parent_of(input));
        if folder.starts_with(&target) {
            return Some(format!(
                "it holds the input {}; drgsim never writes into its inputs' folders",
                input.display()
            ));
        }
    }
    None
}

/// Up to three entry names of `dir` other than drgsim's manifest, and how many there are.
fn other_entries(dir: &Path, own: &[PathBuf]) -> io::Result<(Vec<String>, usize)> {
    let mut names = Vec::new();
    let mut n = 0;
    for e in fs::read_dir(dir)? {
        let name = e?.file_name();
        if name == MANIFEST || own.iter().any(|p| p.as_os_str() == name) {
            continue;
        }
        n += 1;
        if names.len() < 3 {
            names.push(name.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok((names, n))
}

/// Whether process `pid` is running, where the system can tell (Linux `/proc`).
fn pid_alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Remove staging folders that a killed drgsim left next to `final_dir`
/// (hidden siblings `.{name}.tmp-*` holding drgsim's staging marker, whose
/// process is gone); name the ones that cannot be cleaned.
fn clean_stale(final_dir: &Path) {
    let parent = parent_of(final_dir);
    let Some(name) = final_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
    else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(rd) = fs::read_dir(&parent) else {
        return;
    };
    for e in rd.flatten() {
        let fname = e.file_name().to_string_lossy().into_owned();
        if !fname.starts_with(&prefix) {
            continue;
        }
        let dir = e.path();
        let Ok(mark) = fs::read_to_string(dir.join(STAGING_MARK)) else {
            continue;
        };
        let Ok(pid) = mark.trim().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        match pid_alive(pid) {
            Some(false) => {
                if fs::remove_dir_all(&dir).is_ok() {
                    eprintln!(
                        "note: removed {}, left by an interrupted drgsim run (process {pid})",
                        dir.display()
                    );
                }
            }
            Some(true) => {}
            None => eprintln!(
                "note: {} looks like the staging folder of an interrupted drgsim run (process {pid}); delete it if no drgsim is running",
                dir.display()
            ),
        }
    }
}

/// Every file under `dir`, as paths relative to it, sorted; the staging marker is left out.
fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
        for e in fs::read_dir(root.join(rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            if e.file_type()?.is_dir() {
                walk(root, &r, out)?;
            } else if r.as_os_str() != STAGING_MARK {
                out.push(r);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out)?;
    out.sort();
    Ok(out)
}

/// Check that drgsim may write into `final_dir` under `policy` (see the module
/// docs) without creating anything; returns the files a previous drgsim output
/// there listed in its manifest. Commands call it before long computations so
/// that a refused `--out` is reported at once.
pub fn check_output(final_dir: &Path, policy: &OutputPolicy) -> Result<Vec<PathBuf>, ReportError> {
    if let Some(reason) = protected(final_dir, policy) {
        return Err(ReportError::BadOutputPath {
            path: final_dir.to_path_buf(),
            reason,
        });
    }
    if final_dir.file_name().is_none() {
        return Err(ReportError::BadOutputPath {
            path: final_dir.to_path_buf(),
            reason: "it has no final directory name".to_string(),
        });
    }
    let mut previous = Vec::new();
    if let Ok(meta) = fs::metadata(final_dir) {
        if !meta.is_dir() {
            return Err(ReportError::BadOutputPath {
                path: final_dir.to_path_buf(),
                reason: "it exists and is not a directory".to_string(),
            });
        }
        let manifest = read_manifest(final_dir);
        if let Ok(Some(files)) = &manifest {
            previous = files.clone();
        }
        let (names, n) =
            other_entries(final_dir, &previous).map_err(|source| ReportError::Replace {
                path: final_dir.to_path_buf(),
                source,
            })?;
        let ours = matches!(manifest, Ok(Some(_)));
        if n > 0 && !ours && !policy.force {
            let what = match manifest {
                Err(why) => why,
                _ => format!(
                    "it holds {n} entr{} drgsim did not write ({}{})",
                    if n == 1 { "y" } else { "ies" },
                    names.join(", "),
                    if n > names.len() { ", ..." } else { "" }
                ),
            };
            return Err(ReportError::Occupied {
                path: final_dir.to_path_buf(),
                what,
            });
        }
    }
    Ok(previous)
}

/// A report directory being built in a hidden staging directory next to its
/// final location.
///
/// Write everything under [`OutputDir::path`], then call [`OutputDir::commit`]
/// to move the finished files into place. Dropping an `OutputDir` without
/// committing (for example because an error was returned with `?`) deletes the
/// staging directory, so a failed run leaves neither a partial report nor litter.
#[derive(Debug)]
pub struct OutputDir {
    staging: PathBuf,
    final_dir: PathBuf,
    /// Files of a previous drgsim output in `final_dir` (from its manifest).
    previous: Vec<PathBuf>,
    committed: bool,
}

impl OutputDir {
    /// [`OutputDir::create_with`] with the default policy: no `--force`, no inputs
    /// (the working directory is still protected).
    pub fn create(final_dir: &Path) -> Result<OutputDir, ReportError> {
        OutputDir::create_with(final_dir, &OutputPolicy::default())
    }

    /// Check that drgsim may write into `final_dir` (see the module docs), then
    /// create a staging directory for it as its sibling
    /// (`.{name}.tmp-{pid}-{counter}`), creating the parents of `final_dir`
    /// if they are missing. `final_dir` itself is not touched until
    /// [`OutputDir::commit`].
    pub fn create_with(final_dir: &Path, policy: &OutputPolicy) -> Result<OutputDir, ReportError> {
        let previous = check_output(final_dir, policy)?;
        ensure_parent(final_dir)?;
        clean_stale(final_dir);
        let mut registry = active();
        let mut last_err = None;
        for _ in 0..16 {
            let staging = temp_sibling(final_dir, "tmp", "");
            match fs::create_dir(&staging) {
                Ok(()) => {
                    registry.push(staging.clone());
                    drop(registry);
                    let out = OutputDir {
                        staging,
                        final_dir: final_dir.to_path_buf(),
                        previous,
                        committed: false,
                    };
                    let mark = out.staging.join(STAGING_MARK);
                    fs::write(&mark, std::process::id().to_string())
                        .map_err(|source| ReportError::Write { path: mark, source })?;
                    return Ok(out);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(source) => {
                    return Err(ReportError::CreateDir {
                        path: staging,
                        source,
                    });
                }
            }
        }
        Err(ReportError::CreateDir {
            path: final_dir.to_path_buf(),
            source: last_err.unwrap_or_else(|| io::Error::other("no free staging name")),
        })
    }

    /// The staging directory: where writers put the report files.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The directory the report will appear at after [`OutputDir::commit`].
    pub fn final_path(&self) -> &Path {
        &self.final_dir
    }

    /// Write the manifest and move the staged files into place; return the final path.
    ///
    /// A new output folder appears in one rename. Into an existing folder each
    /// file is renamed over its old version (each file is replaced atomically),
    /// then the files the previous manifest listed and this run did not write
    /// are deleted, and the new manifest goes in last. Nothing else in the
    /// folder is touched. The signal handler waits while files are being moved.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        // Test hook: hold the finished staging folder for a while so that an
        // interruption can be tested deterministically.
        if let Some(ms) = std::env::var("DRGSIM_TEST_SLOW_COMMIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        let _registry = active();
        let final_dir = self.final_dir.clone();
        let files = files_under(&self.staging).map_err(|source| ReportError::Write {
            path: self.staging.clone(),
            source,
        })?;
        let manifest = Manifest {
            generator: format!("drgsim {}", env!("CARGO_PKG_VERSION")),
            files: files
                .iter()
                .filter(|f| f.as_os_str() != MANIFEST)
                .map(|f| f.to_string_lossy().into_owned())
                .collect(),
        };
        let json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        let mpath = self.staging.join(MANIFEST);
        fs::write(&mpath, json + "\n").map_err(|source| ReportError::Write {
            path: mpath.clone(),
            source,
        })?;
        let rename = |from: &Path, to: &Path| {
            fs::rename(from, to).map_err(|source| ReportError::Rename {
                from: from.to_path_buf(),
                to: to.to_path_buf(),
                source,
            })
        };
        match fs::symlink_metadata(&final_dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let _ = fs::remove_file(self.staging.join(STAGING_MARK));
                rename(&self.staging, &final_dir)?;
            }
            Err(source) => {
                return Err(ReportError::Replace {
                    path: final_dir,
                    source,
                });
            }
            Ok(_) => {
                for rel in files.iter().filter(|f| f.as_os_str() != MANIFEST) {
                    let dest = final_dir.join(rel);
                    ensure_parent(&dest)?;
                    rename(&self.staging.join(rel), &dest)?;
                }
                for old in &self.previous {
                    if files.contains(old) {
                        continue;
                    }
                    let p = final_dir.join(old);
                    if fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                        let _ = fs::remove_file(&p);
                        // drop folders the old file leaves empty (remove_dir fails on non-empty ones)
                        let mut dir = p.parent();
                        while let Some(d) = dir {
                            if d == final_dir || fs::remove_dir(d).is_err() {
                                break;
                            }
                            dir = d.parent();
                        }
                    }
                }
                rename(&mpath, &final_dir.join(MANIFEST))?;
                let _ = fs::remove_dir_all(&self.staging);
            }
        }
        self.committed = true;
        Ok(final_dir)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        let mut registry = active();
        registry.retain(|d| d != &self.staging);
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_creates_final_dir_and_missing_parents() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("a/b/report");
        let out = OutputDir::create(&fin).expect("create");
        assert!(out.path().starts_with(tmp.path().join("a/b")));
        assert!(!fin.exists());
        fs::write(out.path().join("x.csv"), "1,2\n").expect("write");
        let p = out.commit().expect("commit");
        assert_eq!(p, fin);
        assert_eq!(
            fs::read_to_string(fin.join("x.csv")).expect("read"),
            "1,2\n"
        );
        assert_eq!(entries(&tmp.path().join("a/b")), vec!["report".to_string()]);
    }

    /// One drgsim run into `fin` writing `files` (name, content).
    fn run_into(
        fin: &Path,
        policy: &OutputPolicy,
        files: &[(&str, &str)],
    ) -> Result<(), ReportError> {
        let out = OutputDir::create_with(fin, policy)?;
        for (name, body) in files {
            let p = out.path().join(name);
            ensure_parent(&p)?;
            fs::write(p, body).expect("write");
        }
        out.commit().map(|_| ())
    }

    #[test]
    fn rerun_replaces_own_files_and_keeps_the_users() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        let p = OutputPolicy::default();
        run_into(&fin, &p, &[("a.csv", "1"), ("charts/old.svg", "x")]).expect("first run");
        assert!(fin.join(MANIFEST).is_file());
        // the user adds a file of their own to the output folder
        fs::write(fin.join("notes.txt"), "mine").expect("write");
        let out = OutputDir::create_with(&fin, &p).expect("a drgsim folder is accepted");
        fs::write(out.path().join("a.csv"), "2").expect("write");
        // Old contents are still visible until commit.
        assert_eq!(fs::read_to_string(fin.join("a.csv")).expect("read"), "1");
        out.commit().expect("commit");
        assert_eq!(fs::read_to_string(fin.join("a.csv")).expect("read"), "2");
        // the previous run's file this run did not write is gone, with its empty folder
        assert!(!fin.join("charts").exists());
        assert_eq!(
            fs::read_to_string(fin.join("notes.txt")).expect("read"),
            "mine"
        );
        let m = read_manifest(&fin).expect("manifest").expect("present");
        assert_eq!(m, vec![PathBuf::from("a.csv")]);
        // No staging or backup directories left behind.
        assert_eq!(entries(tmp.path()), vec!["report".to_string()]);
    }

    #[test]
    fn folder_with_other_files_is_refused_and_force_only_adds() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("mybudget");
        fs::create_dir_all(fin.join("sub")).expect("mkdir");
        fs::write(fin.join("2024-budget.xlsx"), [0u8, 1, 2, 255]).expect("write");
        fs::write(fin.join("sub/notes.txt"), "keep").expect("write");
        let err = run_into(&fin, &OutputPolicy::default(), &[("a.csv", "1")]).expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("2024-budget.xlsx") && msg.contains("--force"),
            "{msg}"
        );
        assert!(!fin.join("a.csv").exists());
        assert_eq!(entries(tmp.path()), vec!["mybudget".to_string()]);
        let force = OutputPolicy::new(true, &[]);
        run_into(&fin, &force, &[("a.csv", "1")]).expect("forced");
        run_into(&fin, &force, &[("b.csv", "2")]).expect("forced again");
        assert_eq!(
            fs::read(fin.join("2024-budget.xlsx")).expect("read"),
            [0u8, 1, 2, 255]
        );
        assert_eq!(
            fs::read_to_string(fin.join("sub/notes.txt")).expect("read"),
            "keep"
        );
        assert!(
            !fin.join("a.csv").exists(),
            "the previous drgsim file is replaced"
        );
        assert!(fin.join("b.csv").is_file());
    }

    #[test]
    fn a_damaged_manifest_cannot_reach_outside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        fs::create_dir(&fin).expect("mkdir");
        fs::write(tmp.path().join("precious.txt"), "x").expect("write");
        fs::write(
            fin.join(MANIFEST),
            r#"{"generator":"drgsim","files":["../precious.txt","/etc/hostname",""]}"#,
        )
        .expect("write");
        run_into(&fin, &OutputPolicy::default(), &[("a.csv", "1")]).expect("run");
        assert!(tmp.path().join("precious.txt").is_file());
        fs::write(fin.join(MANIFEST), "not json").expect("write");
        let err = run_into(&fin, &OutputPolicy::default(), &[("a.csv", "1")]).expect_err("refused");
        assert!(err.to_string().contains("not a drgsim manifest"), "{err}");
    }

    #[test]
    fn inputs_folder_and_its_parents_are_refused_even_with_force() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let scen = tmp.path().join("myscen");
        fs::create_dir_all(scen.join("data")).expect("mkdir");
        fs::write(scen.join("s.toml"), "x").expect("write");
        let force = OutputPolicy::new(true, &[&scen.join("s.toml")]);
        for dir in [scen.clone(), tmp.path().to_path_buf()] {
            let err = run_into(&dir, &force, &[("a.csv", "1")]).expect_err("refused");
            assert!(err.to_string().contains("holds the input"), "{err}");
        }
        // a new folder inside the scenario folder is fine
        run_into(&scen.join("out"), &force, &[("a.csv", "1")]).expect("sub-folder");
    }

    #[test]
    fn working_directory_is_refused() {
        let err =
            run_into(Path::new("."), &OutputPolicy::new(true, &[]), &[]).expect_err("refused");
        assert!(err.to_string().contains("working directory"), "{err}");
        let cwd = std::env::current_dir().expect("cwd");
        let err = run_into(&cwd, &OutputPolicy::new(true, &[]), &[]).expect_err("refused");
        assert!(err.to_string().contains("working directory"), "{err}");
    }

    #[test]
    fn stale_staging_of_a_dead_process_is_removed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        let stale = tmp.path().join(".report.tmp-999999999-0");
        fs::create_dir(&stale).expect("mkdir");
        fs::write(stale.join(STAGING_MARK), "999999999").expect("write");
        // a look-alike without drgsim's marker is not ours and stays
        let other = tmp.path().join(".report.tmp-mine");
        fs::create_dir(&other).expect("mkdir");
        run_into(&fin, &OutputPolicy::default(), &[("a.csv", "1")]).expect("run");
        if pid_alive(1).is_some() {
            assert!(!stale.exists());
        }
        assert!(other.exists());
    }

    #[test]
    fn drop_without_commit_leaves_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        {
            let out = OutputDir::create(&fin).expect("create");
            fs::write(out.path().join("partial.csv"), "x").expect("write");
            assert!(out.path().exists());
        }
        assert!(!fin.exists());
        assert!(entries(tmp.path()).is_empty());
    }

    #[test]
    fn drop_without_commit_keeps_existing_dir() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        fs::create_dir(&fin).expect("mkdir");
        fs::write(fin.join("old.txt"), "old").expect("write");
        drop(OutputDir::create_with(&fin, &OutputPolicy::new(true, &[])).expect("create"));
        assert_eq!(entries(tmp.path()), vec!["report".to_string()]);
        assert!(fin.join("old.txt").exists());
    }

    #[test]
    fn existing_file_is_rejected() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        fs::write(&fin, "not a dir").expect("write");
        let err = OutputDir::create(&fin).expect_err("must fail");
        assert!(err.to_string().contains("choose another --out"), "{err}");
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temp() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("sub/x.txt");
        write_atomic(&p, b"one").expect("write 1");
        write_atomic(&p, b"two").expect("write 2");
        assert_eq!(fs::read(&p).expect("read"), b"two");
        assert_eq!(entries(&tmp.path().join("sub")), vec!["x.txt".to_string()]);
    }

    #[test]
    fn error_message_names_path_and_action() {
        let e = ReportError::CreateDir {
            path: PathBuf::from("/x/y"),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            e.to_string(),
            "cannot create output directory /x/y: permission denied; choose another --out"
        );
    }
}
