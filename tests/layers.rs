//! The library's layers point down. Each top-level module may name (by
//! `crate::<module>`) only modules of a lower layer:
//!
//! ```text
//! cli -> serve -> report -> analysis -> projection, calibrate -> payment -> population, fund -> scenario
//! ```
//!
//! `scenario` owns the plain data of a scenario file (including the payment
//! section and uncertainty distributions); `payment` and `analysis` compile
//! from it. Within a module no two files import each other (checked on
//! `super::<file>` and `crate::<module>::<file>` paths outside `#[cfg(test)]`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layer of each top-level module; higher may import lower, never the reverse.
const LAYERS: [(&str, u8); 10] = [
    ("scenario", 0),
    ("fund", 1),
    ("population", 1),
    ("payment", 2),
    ("projection", 3),
    ("calibrate", 3),
    ("analysis", 4),
    ("report", 5),
    ("serve", 6),
    ("cli", 7),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code lines of a file with their 1-based numbers: comments dropped,
/// and nothing after `#[cfg(test)]`.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// Identifiers following `prefix` in `line` (`crate::payment::x` -> `payment`).
fn names_after<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    // (module, file stem) -> files of the same module it names
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let parts: Vec<&str> = rel.iter().map(|c| c.to_str().unwrap()).collect();
        if parts.len() < 2 || parts[0] == "bin" {
            continue; // lib.rs, main.rs and binaries sit above every layer
        }
        let module = parts[0];
        let stem = parts[1].trim_end_matches(".rs");
        let Some(own) = layer(module) else {
            upward.push(format!(
                "{}: module `{module}` has no layer in tests/layers.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in code_lines(&text) {
            for target in names_after(line, "crate::") {
                match layer(target) {
                    Some(l) if target != module && l >= own => upward.push(format!(
                        "{}:{}: `{module}` (layer {own}) names `crate::{target}` (layer {l})",
                        rel.display(),
                        n
                    )),
                    _ => {}
                }
            }
            if stem != "mod" {
                let mut named: Vec<&str> = names_after(line, "super::");
                named.extend(names_after(line, &format!("crate::{module}::")));
                for other in named {
                    if other != stem {
                        edges
                            .entry((module.to_string(), stem.to_string()))
                            .or_default()
                            .insert(other.to_string());
                    }
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports pointing up:\n{}",
        upward.join("\n")
    );
    let mut cycles = Vec::new();
    for ((module, a), targets) in &edges {
        for b in targets {
            if a < b
                && edges
                    .get(&(module.clone(), b.clone()))
                    .is_some_and(|t| t.contains(a))
            {
                cycles.push(format!("src/{module}/{a}.rs <-> src/{module}/{b}.rs"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "files importing each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    assert_eq!(
        names_after("use crate::analysis::DistSpec;", "crate::"),
        ["analysis"]
    );
    assert!(layer("scenario") < layer("analysis"));
    assert_eq!(
        code_lines("use a;\n// use crate::cli;\n#[cfg(test)]\nuse b;"),
        [(1, "use a;")]
    );
}
