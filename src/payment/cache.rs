//! Tables parsed once per process.
//!
//! Analysis recompiles the scenario to check range ends and distribution
//! tails (`LeverSet::check`), a dozen compiles a command; each used to read
//! and parse the group table again (about 66 µs a group, a second at the
//! 15,000 groups a DIP region has). A table is now parsed once and shared,
//! keyed by its path, length and modification time, so a file edited between
//! two compiles is read again. Failed reads are not kept (the next compile
//! reports the problem again).
//!
//! Per-hospital group volumes are checked against the group and hospital
//! tables, so they are kept with the tables they were checked against and
//! reused only for the same file version and equal tables (133,480 rows at
//! provincial scale took about 30 ms to parse, once per range end a
//! sensitivity run checks).

use super::groups::{GroupTable, WeightTable};
use super::hospitals::{HospitalGroupVolumes, HospitalTable};
use crate::scenario::Diagnostics;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Identity of a file's content as far as the file system tells.
type Stamp = (u64, Option<SystemTime>);

pub(crate) type Cache<T> = Mutex<BTreeMap<PathBuf, (Stamp, Arc<T>)>>;

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// `load(path)`, kept in `cache` for the file's version (length and
/// modification time); failures are not kept.
pub(crate) fn cached<T>(
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

/// Volumes kept with the tables they were checked against.
type VolumeEntry = (
    Stamp,
    Arc<GroupTable>,
    Arc<HospitalTable>,
    Arc<HospitalGroupVolumes>,
);

/// [`HospitalGroupVolumes::load`], parsed once per process, file version and
/// pair of tables (compared by content when they are not the same parse).
pub fn hospital_group_volumes(
    path: &Path,
    hospitals: &Arc<HospitalTable>,
    groups: &Arc<GroupTable>,
) -> Result<Arc<HospitalGroupVolumes>, Diagnostics> {
    static CACHE: Mutex<BTreeMap<PathBuf, VolumeEntry>> = Mutex::new(BTreeMap::new());
    let Some(st) = stamp(path) else {
        return HospitalGroupVolumes::load(path, hospitals, groups).map(Arc::new);
    };
    if let Some((s, g, h, v)) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(path)
        && *s == st
        && (Arc::ptr_eq(g, groups) || **g == **groups)
        && (Arc::ptr_eq(h, hospitals) || **h == **hospitals)
    {
        return Ok(Arc::clone(v));
    }
    let v = Arc::new(HospitalGroupVolumes::load(path, hospitals, groups)?);
    CACHE.lock().unwrap_or_else(PoisonError::into_inner).insert(
        path.to_path_buf(),
        (
            st,
            Arc::clone(groups),
            Arc::clone(hospitals),
            Arc::clone(&v),
        ),
    );
    Ok(v)
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

    #[test]
    fn volumes_are_parsed_once_per_file_version_and_tables() {
        let dir = tempfile::tempdir().unwrap();
        let g = dir.path().join("groups.csv");
        let h = dir.path().join("hospitals.csv");
        let v = dir.path().join("volumes.csv");
        // the first two groups of a bundled table
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
        let text = std::fs::read_to_string(&src).unwrap();
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .take(3)
            .collect();
        std::fs::write(&g, rows.join("\n")).unwrap();
        let code = |i: usize| rows[i].split(',').next().unwrap().to_string();
        let (a1, b1) = (code(1), code(2));
        let hosp = "id,name,level,coefficient,cases,cmi_relative,cost_level";
        std::fs::write(
            &h,
            format!("{hosp}\nH1,h1,secondary,1,60,1,1\nH2,h2,tertiary,1,40,1,1\n"),
        )
        .unwrap();
        std::fs::write(
            &v,
            format!("hospital,group,cases\nH1,{a1},30\nH2,{b1},20\n"),
        )
        .unwrap();
        let (gt, ht) = (group_table(&g).unwrap(), hospital_table(&h).unwrap());
        let a = hospital_group_volumes(&v, &ht, &gt).unwrap();
        let b = hospital_group_volumes(&v, &ht, &gt).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "the second compile reuses the parse");
        // the same tables parsed again (equal content): still reused
        let ht2 = Arc::new((*ht).clone());
        assert!(Arc::ptr_eq(
            &a,
            &hospital_group_volumes(&v, &ht2, &gt).unwrap()
        ));
        // a hospital table without H2: checked again, and the check fails
        let one = Arc::new(HospitalTable {
            hospitals: ht.hospitals[..1].to_vec(),
        });
        let e = hospital_group_volumes(&v, &one, &gt)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown hospital `H2`"), "{e}");
        // an edited file (different length) is read again
        std::fs::write(&v, format!("hospital,group,cases\nH1,{a1},30\n")).unwrap();
        let c = hospital_group_volumes(&v, &ht, &gt).unwrap();
        assert_eq!(c.entries, vec![(0, 0, 30.0)]);
        std::fs::remove_file(&v).unwrap();
        assert!(hospital_group_volumes(&v, &ht, &gt).is_err());
    }
}
