//! The bundled scenarios and their tables, embedded in the binary so that an
//! installed `drgsim` (`cargo install`) runs anywhere: `drgsim scenarios`
//! lists them, `drgsim init NAME` copies one out for editing, and `drgsim run`
//! with no scenario runs the default from here.

use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

static BUNDLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// The default scenario's file name.
pub const DEFAULT: &str = "chuxiong-rules.toml";

/// One bundled scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundled {
    /// File name, e.g. `chuxiong-2023.toml`.
    pub file: &'static str,
    /// The `[scenario] name`.
    pub name: String,
    /// The `[scenario] description`.
    pub description: String,
    /// The file's text.
    pub text: &'static str,
}

/// Every bundled scenario, by file name.
pub fn list() -> Vec<Bundled> {
    let mut v: Vec<Bundled> = BUNDLE
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .filter_map(|f| {
            let text = f.contents_utf8()?;
            let file = f.path().to_str()?;
            let doc: toml::Table = toml::from_str(text).ok()?;
            // Clearing files (`drgsim clear`) sit beside the scenarios but are not ones.
            if super::clearing::is_clearing_doc(&doc) {
                return None;
            }
            let meta = doc.get("scenario").and_then(|s| s.as_table());
            let field = |k: &str| {
                meta.and_then(|m| m.get(k))
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            Some(Bundled {
                file,
                name: field("name"),
                description: field("description"),
                text,
            })
        })
        .collect();
    v.sort_by(|a, b| a.file.cmp(b.file));
    v
}

/// The bundled scenario `name` (with or without `.toml`).
pub fn find(name: &str) -> Option<Bundled> {
    let file = if name.ends_with(".toml") {
        name.to_string()
    } else {
        format!("{name}.toml")
    };
    list().into_iter().find(|b| b.file == file)
}

/// The table at `dotted_path` (e.g. `funds.region.payment`) of the bundled
/// file `file`, as that file writes it (its `extends` chain is not merged).
///
/// This is how code outside the scenarios (the table generator, the payment
/// tests and benches) uses a scenario's settings without pasting a copy that
/// could drift from the file: `table("qingyang-2025h1.toml", "funds.region.payment")`.
pub fn table(file: &str, dotted_path: &str) -> Option<toml::Table> {
    let text = BUNDLE.get_file(file)?.contents_utf8()?;
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut t = &doc;
    for key in dotted_path.split('.').filter(|k| !k.is_empty()) {
        t = t.get(key)?.as_table()?;
    }
    Some(t.clone())
}

/// What [`copy_out`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files that already existed with other content and were left as they were.
    pub kept: Vec<PathBuf>,
}

/// Copies the bundled scenario `name`, the files its `extends` chain names
/// and the `data/` tables into `dir`. The scenario file itself must not exist
/// yet; a table already there with other content is kept, never overwritten.
pub fn copy_out(name: &str, dir: &Path) -> Result<CopyReport, String> {
    let b = find(name).ok_or_else(|| {
        format!(
            "there is no bundled scenario `{name}`; `drgsim scenarios` lists them: {}",
            list()
                .iter()
                .map(|b| b.file.trim_end_matches(".toml"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let target = dir.join(b.file);
    if target.exists() {
        return Err(format!(
            "{} already exists; drgsim never overwrites it. Choose another folder or move the file away",
            target.display()
        ));
    }
    // The extends chain (bundled files extend bundled files by name).
    let mut files = vec![b.file.to_string()];
    let mut text = b.text;
    while let Some(parent) = toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|d| d.get("extends")?.as_str().map(str::to_string))
    {
        let Some(p) = find(&parent) else { break };
        if files.contains(&parent) {
            break;
        }
        files.push(parent);
        text = p.text;
    }
    let mut out = CopyReport::default();
    let mut all: Vec<&include_dir::File> = Vec::new();
    collect(&BUNDLE, &mut all);
    for f in all {
        let rel = f.path();
        let wanted = rel.starts_with("data") || files.iter().any(|x| Path::new(x) == rel);
        if !wanted {
            continue;
        }
        let to = dir.join(rel);
        if let Ok(existing) = std::fs::read(&to) {
            if existing != f.contents() {
                out.kept.push(to);
            }
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&to, f.contents())
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        out.written.push(to);
    }
    out.written.sort();
    Ok(out)
}

/// Writes the whole bundle into a cache folder of this drgsim version under
/// the system's temporary folder (rewriting any file that differs) and
/// returns the path of the default scenario there. Analyses that recompile
/// the scenario read its tables from this folder.
pub fn materialize_default() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("drgsim-{}-scenarios", env!("CARGO_PKG_VERSION")));
    let mut all: Vec<&include_dir::File> = Vec::new();
    collect(&BUNDLE, &mut all);
    for f in all {
        let to = dir.join(f.path());
        if std::fs::read(&to).is_ok_and(|x| x == f.contents()) {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // Written under a temporary name and renamed, so a concurrent run
        // never reads half a file.
        let tmp = to.with_extension(format!("tmp-{}", std::process::id()));
        std::fs::write(&tmp, f.contents())
            .and_then(|()| std::fs::rename(&tmp, &to))
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    Ok(dir.join(DEFAULT))
}

fn collect<'a>(d: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    out.extend(d.files());
    for sub in d.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_in_the_folder_is_bundled() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .filter(|n| !super::super::clearing::is_clearing_file(&dir.join(n)))
            .collect();
        on_disk.sort();
        let bundled: Vec<&str> = list().iter().map(|b| b.file).collect();
        assert_eq!(bundled, on_disk);
        // A clearing file is for `drgsim clear`, not a scenario to list or copy out.
        assert!(find("sanmen-clearing-2019").is_none());
        assert!(on_disk.len() < std::fs::read_dir(&dir).unwrap().count());
        assert!(list().iter().all(|b| !b.name.is_empty()));
        assert!(find("chuxiong-2023").is_some() && find(DEFAULT).is_some());
    }

    #[test]
    fn a_section_of_a_bundled_file_reads_as_written() {
        let t = table("qingyang-2025h1.toml", "funds.region.payment").unwrap();
        assert_eq!(t["groups"].as_str(), Some("data/qingyang/groups.csv"));
        assert!(
            t["outliers"]
                .as_table()
                .unwrap()
                .contains_key("high_multiple")
        );
        assert!(table("qingyang-2025h1.toml", "funds.nowhere").is_none());
        assert!(table("no-such-file.toml", "scenario").is_none());
    }

    #[test]
    fn copy_out_copies_the_chain_and_tables_and_never_overwrites() {
        let d = tempfile::tempdir().unwrap();
        let r = copy_out("drg-rate-cut", d.path()).unwrap();
        assert!(d.path().join("drg-rate-cut.toml").exists());
        assert!(d.path().join("chuxiong-2023.toml").exists(), "{r:?}");
        assert!(d.path().join("data/chuxiong/groups.csv").exists());
        assert!(r.kept.is_empty());
        // The same again: the scenario exists, so nothing is touched.
        let e = copy_out("drg-rate-cut", d.path()).unwrap_err();
        assert!(e.contains("already exists"), "{e}");
        // A user's edited table is kept.
        std::fs::write(d.path().join("data/chuxiong/groups.csv"), "mine").unwrap();
        let r = copy_out("premium-up", d.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("data/chuxiong/groups.csv")).unwrap(),
            "mine"
        );
        assert_eq!(r.kept, vec![d.path().join("data/chuxiong/groups.csv")]);
        assert!(
            copy_out("nope", d.path())
                .unwrap_err()
                .contains("chuxiong-2023")
        );
    }
}
