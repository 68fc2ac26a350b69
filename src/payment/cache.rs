//! Tables parsed once per process.
//!
//! Analysis recompiles the scenario to check range ends and distribution
//! tails (`LeverSet::check`), a dozen compiles a command; each used to read
//! and parse the group table again (about 66 µs a group, a second at the
//! 15,000 groups a DIP region has). A table is now parsed once and shared,
//! keyed by its path, length and modification time, so a file edited between
//! two compiles is read again. Failed reads are not kept (the next compile
//! reports the problem again).

use super::groups::{GroupTable, WeightTable};
use super::hospitals::HospitalTable;
use crate::scenario::Diagnostics;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Identity of a file's content as far as the file system tells.
type Stamp = (u64, Option<SystemTime>);

type Cache<T> = Mutex<BTreeMap<PathBuf, (Stamp, Arc<T>)>>;

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

fn cached<T>(
    cache: &Cache<T>,
    path: &Path,
    load: impl FnOnce(&Path) -> Result<T, Diagnostics>,
) -> Result<Arc<T>, Diagnostics> {
    let Some(st) = stamp(path) else {
        // Let the loader name the problem (missing file, no permission).
        return load(path).map(Arc::new);
    };
    if let Some((s, t)) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(path)
        && *s == st
    {
        return Ok(Arc::clone(t));
    }
    let t = Arc::new(load(path)?);
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(path.to_path_buf(), (st, Arc::clone(&t)));
    Ok(t)
}

/// [`GroupTable::load`], parsed once per process and file version.
pub fn group_table(path: &Path) -> Result<Arc<GroupTable>, Diagnostics> {
    static CACHE: Cache<GroupTable> = Mutex::new(BTreeMap::new());
    cached(&CACHE, path, GroupTable::load)
}

/// [`HospitalTable::load`], parsed once per process and file version.
pub fn hospital_table(path: &Path) -> Result<Arc<HospitalTable>, Diagnostics> {
    static CACHE: Cache<HospitalTable> = Mutex::new(BTreeMap::new());
    cached(&CACHE, path, HospitalTable::load)
}

/// [`WeightTable::load`], parsed once per process and file version.
pub fn weight_table(path: &Path) -> Result<Arc<WeightTable>, Diagnostics> {
    static CACHE: Cache<WeightTable> = Mutex::new(BTreeMap::new());
    cached(&CACHE, path, WeightTable::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_parsed_once_and_again_when_the_file_changes() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
        let text = std::fs::read_to_string(&src).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("groups.csv");
        std::fs::write(&file, &text).unwrap();
        let a = group_table(&file).unwrap();
        let b = group_table(&file).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the second compile reuses the parse");
        // drop the last group: a different length, so the file is read again
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&file, lines[..lines.len() - 1].join("\n")).unwrap();
        let c = group_table(&file).unwrap();
        assert_eq!(c.groups.len() + 1, a.groups.len());
        // a missing file is an error every time, never a stale table
        std::fs::remove_file(&file).unwrap();
        assert!(group_table(&file).is_err());
    }
}
