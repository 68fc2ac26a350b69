//! Outputs that are never half-written.
//!
//! [`OutputDir`] stages a whole report directory next to its final location and
//! moves it into place on [`OutputDir::commit`]; [`write_atomic`] writes a single
//! file through a temporary sibling and a rename. Both rely on `rename` within one
//! directory, which is atomic on POSIX file systems.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// A report directory being built in a hidden staging directory next to its
/// final location.
///
/// Write everything under [`OutputDir::path`], then call [`OutputDir::commit`]
/// to move the finished directory into place. Dropping an `OutputDir` without
/// committing (for example because an error was returned with `?`) deletes the
/// staging directory, so a failed run leaves neither a partial report nor litter.
#[derive(Debug)]
pub struct OutputDir {
    staging: PathBuf,
    final_dir: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Create a staging directory for `final_dir` as its sibling
    /// (`.{name}.tmp-{pid}-{counter}`), creating the parents of `final_dir`
    /// if they are missing. `final_dir` itself is not touched until
    /// [`OutputDir::commit`].
    pub fn create(final_dir: &Path) -> Result<OutputDir, ReportError> {
        if final_dir.file_name().is_none() {
            return Err(ReportError::BadOutputPath {
                path: final_dir.to_path_buf(),
                reason: "it has no final directory name".to_string(),
            });
        }
        if let Ok(meta) = fs::metadata(final_dir)
            && !meta.is_dir()
        {
            return Err(ReportError::BadOutputPath {
                path: final_dir.to_path_buf(),
                reason: "it exists and is not a directory".to_string(),
            });
        }
        ensure_parent(final_dir)?;
        let mut last_err = None;
        for _ in 0..16 {
            let staging = temp_sibling(final_dir, "tmp", "");
            match fs::create_dir(&staging) {
                Ok(()) => {
                    return Ok(OutputDir {
                        staging,
                        final_dir: final_dir.to_path_buf(),
                        committed: false,
                    });
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

    /// Move the staging directory into place and return the final path.
    ///
    /// If the final directory already exists it is replaced: it is renamed aside
    /// to a hidden backup sibling, the staging directory is renamed into place,
    /// and the backup is deleted. If the second rename fails the backup is
    /// restored. (Between the two renames there is a very short window in which
    /// the final path does not exist.) Failure to delete the backup is ignored;
    /// a hidden `.{name}.old-*` directory may then be left behind.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        let final_dir = self.final_dir.clone();
        match fs::symlink_metadata(&final_dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(&self.staging, &final_dir).map_err(|source| ReportError::Rename {
                    from: self.staging.clone(),
                    to: final_dir.clone(),
                    source,
                })?;
            }
            Err(source) => {
                return Err(ReportError::Replace {
                    path: final_dir,
                    source,
                });
            }
            Ok(meta) => {
                if !meta.is_dir() {
                    return Err(ReportError::BadOutputPath {
                        path: final_dir,
                        reason: "it exists and is not a directory".to_string(),
                    });
                }
                let backup = temp_sibling(&final_dir, "old", "");
                fs::rename(&final_dir, &backup).map_err(|source| ReportError::Replace {
                    path: final_dir.clone(),
                    source,
                })?;
                if let Err(source) = fs::rename(&self.staging, &final_dir) {
                    // Put the previous report back; nothing else we can do if this fails too.
                    let _ = fs::rename(&backup, &final_dir);
                    return Err(ReportError::Rename {
                        from: self.staging.clone(),
                        to: final_dir,
                        source,
                    });
                }
                let _ = fs::remove_dir_all(&backup);
            }
        }
        self.committed = true;
        Ok(final_dir)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
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

    #[test]
    fn commit_replaces_existing_dir() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fin = tmp.path().join("report");
        fs::create_dir(&fin).expect("mkdir");
        fs::write(fin.join("old.txt"), "old").expect("write");
        let out = OutputDir::create(&fin).expect("create");
        fs::write(out.path().join("new.txt"), "new").expect("write");
        // Old contents are still visible until commit.
        assert!(fin.join("old.txt").exists());
        out.commit().expect("commit");
        assert!(!fin.join("old.txt").exists());
        assert_eq!(
            fs::read_to_string(fin.join("new.txt")).expect("read"),
            "new"
        );
        // No staging or backup directories left behind.
        assert_eq!(entries(tmp.path()), vec!["report".to_string()]);
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
        drop(OutputDir::create(&fin).expect("create"));
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
