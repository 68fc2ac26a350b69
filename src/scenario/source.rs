//! Reading scenario files: `extends` chains, `--set` overrides, and where every
//! value came from (file and line), so a problem found later can be pointed at.

use super::error::{Diagnostic, ScenarioError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// Where a value of the merged scenario was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A line of a scenario file.
    File {
        /// The file.
        file: PathBuf,
        /// 1-based line of the key.
        line: usize,
    },
    /// A `--set path=value` on the command line.
    CommandLine,
}

/// A scenario as read: the merged document and the origin of each dotted path.
#[derive(Clone, Debug)]
pub struct RawScenario {
    /// The file named by the user (the last of the `extends` chain).
    pub file: PathBuf,
    /// Every file read, base first.
    pub chain: Vec<PathBuf>,
    /// The merged document (`extends` resolved, `--set` applied, `extends` key removed).
    pub doc: Table,
    origins: HashMap<String, Origin>,
}

impl RawScenario {
    /// Everything compiling this scenario depends on besides the files it
    /// names: the files read, the merged document and where each value was
    /// written (which decides the folder a table path is relative to). Two
    /// scenarios with the same fingerprint compile alike.
    ///
    /// Analysis keys the checks it has passed by this text, about thirty
    /// times a command, so it is written without formatting a path per key:
    /// an origin names its file by position in `chain` (every file read is
    /// there), and the keys are sorted once, by reference.
    pub fn fingerprint(&self) -> String {
        use std::fmt::Write;
        let mut origins: Vec<(&String, &Origin)> = self.origins.iter().collect();
        origins.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut out = format!("{:?}\n{}\n", self.chain, self.doc);
        for (k, o) in origins {
            // writing to a String cannot fail
            let _ = match o {
                Origin::File { file, line } => {
                    match self
                        .chain
                        .iter()
                        .position(|c| c.as_os_str() == file.as_os_str())
                    {
                        Some(i) => writeln!(out, "{k}={line}@{i}"),
                        None => writeln!(out, "{k}={line}@{file:?}"),
                    }
                }
                Origin::CommandLine => writeln!(out, "{k}=set"),
            };
        }
        out
    }

    /// Reads `file`, following `extends`, and applies `sets` (`a.b.c=value`).
    pub fn load(file: &Path, sets: &[String]) -> Result<RawScenario, ScenarioError> {
        let mut origins = HashMap::new();
        let mut chain = Vec::new();
        let mut stack = Vec::new();
        let mut doc = load_chain(file, None, &mut stack, &mut chain, &mut origins)?;
        let mut diags = Vec::new();
        for s in sets {
            match parse_set(s) {
                Ok((path, value)) => {
                    if let Err(msg) = set_path(&mut doc, &path, value) {
                        diags.push(Diagnostic::command_line(&path, msg));
                    } else {
                        mark_subtree(
                            &mut origins,
                            &path,
                            doc_get(&doc, &path),
                            &Origin::CommandLine,
                        );
                    }
                }
                Err(msg) => diags.push(Diagnostic::command_line(s, msg)),
            }
        }
        if !diags.is_empty() {
            return Err(ScenarioError::Invalid(diags));
        }
        Ok(RawScenario {
            file: file.to_path_buf(),
            chain,
            doc,
            origins,
        })
    }

    /// Builds a scenario from a document held in memory (tests, generated reforms).
    pub fn from_table(file: &Path, doc: Table) -> RawScenario {
        RawScenario {
            file: file.to_path_buf(),
            chain: vec![file.to_path_buf()],
            doc,
            origins: HashMap::new(),
        }
    }

    /// Where a dotted path (or its nearest ancestor that was written) came from.
    pub fn origin(&self, path: &str) -> Option<&Origin> {
        let mut p = path;
        loop {
            if let Some(o) = self.origins.get(p) {
                return Some(o);
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// A diagnostic for `path`, located by its origin.
    pub fn diagnostic(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.locate(Diagnostic::field(path, message))
    }

    /// Locates a [`Diagnostic::field`] in the file and line that wrote its
    /// path (or its nearest written ancestor); one already located is kept.
    pub fn locate(&self, mut d: Diagnostic) -> Diagnostic {
        if d.file.is_some() || d.command_line {
            return d;
        }
        match self.origin(&d.path) {
            Some(Origin::File { file, line }) => {
                d.file = Some(file.clone());
                d.line = Some(*line);
            }
            Some(Origin::CommandLine) => d.command_line = true,
            None => d.file = Some(self.file.clone()),
        }
        d
    }

    /// The folder relative paths in the value at `path` are resolved against:
    /// the folder of the file that wrote it (command-line values resolve
    /// against the current directory).
    pub fn base_dir(&self, path: &str) -> PathBuf {
        match self.origin(path) {
            Some(Origin::File { file, .. }) => {
                file.parent().map(Path::to_path_buf).unwrap_or_default()
            }
            Some(Origin::CommandLine) => PathBuf::from("."),
            None => self
                .file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        }
    }

    /// Sets a value at a dotted path (the `--set` mechanism, for analysis).
    pub fn set(&mut self, path: &str, value: Value) -> Result<(), String> {
        set_path(&mut self.doc, path, value)?;
        mark_subtree(
            &mut self.origins,
            path,
            doc_get(&self.doc, path),
            &Origin::CommandLine,
        );
        Ok(())
    }

    /// The value at a dotted path.
    pub fn get(&self, path: &str) -> Option<&Value> {
        doc_get(&self.doc, path)
    }
}

fn load_chain(
    file: &Path,
    referenced_by: Option<&Path>,
    stack: &mut Vec<PathBuf>,
    chain: &mut Vec<PathBuf>,
    origins: &mut HashMap<String, Origin>,
) -> Result<Table, ScenarioError> {
    let text = std::fs::read_to_string(file).map_err(|e| ScenarioError::Read {
        file: file.to_path_buf(),
        referenced_by: referenced_by.map(Path::to_path_buf),
        source: e,
    })?;
    let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    if let Some(pos) = stack.iter().position(|p| *p == canonical) {
        let mut cycle: Vec<String> = stack[pos..]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        cycle.push(canonical.display().to_string());
        return Err(ScenarioError::ExtendsCycle { cycle });
    }
    let mut doc: Table = toml::from_str(&text).map_err(|e| syntax_error(file, &text, &e))?;
    let mut here = HashMap::new();
    if let Ok(spanned) = toml::de::DeTable::parse(&text) {
        collect_origins(spanned.get_ref(), "", file, &text, &mut here);
    }
    stack.push(canonical);
    let merged = match doc.remove("extends") {
        None => {
            origins.extend(here);
            doc
        }
        Some(Value::String(parent)) => {
            let parent_path = file.parent().unwrap_or(Path::new(".")).join(&parent);
            let mut base = load_chain(&parent_path, Some(file), stack, chain, origins)?;
            merge(&mut base, doc);
            origins.extend(here);
            base
        }
        Some(other) => {
            let line = here.get("extends").and_then(|o| match o {
                Origin::File { line, .. } => Some(*line),
                Origin::CommandLine => None,
            });
            return Err(ScenarioError::Invalid(vec![Diagnostic {
                file: Some(file.to_path_buf()),
                line,
                ..Diagnostic::field(
                    "extends",
                    format!(
                        "`extends` must be a file name in quotes, e.g. extends = \"chuxiong-2023.toml\" (found {})",
                        other.type_str()
                    ),
                )
            }]));
        }
    };
    stack.pop();
    chain.push(file.to_path_buf());
    Ok(merged)
}

fn syntax_error(file: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let line = e.span().map(|s| line_of(text, s.start));
    ScenarioError::Invalid(vec![Diagnostic {
        file: Some(file.to_path_buf()),
        line,
        ..Diagnostic::field("", format!("not valid TOML: {}", e.message()))
    }])
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn collect_origins(
    table: &toml::de::DeTable<'_>,
    prefix: &str,
    file: &Path,
    text: &str,
    out: &mut HashMap<String, Origin>,
) {
    for (k, v) in table.iter() {
        let path = join(prefix, k.get_ref());
        out.insert(
            path.clone(),
            Origin::File {
                file: file.to_path_buf(),
                line: line_of(text, k.span().start),
            },
        );
        collect_value(v.get_ref(), &path, file, text, out);
    }
}

fn collect_value(
    v: &toml::de::DeValue<'_>,
    path: &str,
    file: &Path,
    text: &str,
    out: &mut HashMap<String, Origin>,
) {
    match v {
        toml::de::DeValue::Table(t) => collect_origins(t, path, file, text, out),
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let p = format!("{path}.{i}");
                out.insert(
                    p.clone(),
                    Origin::File {
                        file: file.to_path_buf(),
                        line: line_of(text, item.span().start),
                    },
                );
                collect_value(item.get_ref(), &p, file, text, out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Deep merge: tables merge key by key, anything else in `over` replaces `base`.
///
/// A table written as a dated parameter (it has a `base` or `values` key) is a
/// single value, so a reform's `{ values = ... }` replaces the baseline's
/// `{ base = .., growth = .. }` whole instead of mixing the two forms.
pub fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) if !is_dated_param(&o) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn is_dated_param(t: &Table) -> bool {
    t.contains_key("base") || t.contains_key("values")
}

fn mark_subtree(
    origins: &mut HashMap<String, Origin>,
    path: &str,
    value: Option<&Value>,
    origin: &Origin,
) {
    let prefix = format!("{path}.");
    origins.retain(|k, _| !k.starts_with(&prefix));
    origins.insert(path.to_string(), origin.clone());
    let _ = value;
}

/// Parses `a.b.c=value`; the value is read as TOML (number, boolean, string,
/// inline table or array) and, failing that, as a bare string.
pub fn parse_set(s: &str) -> Result<(String, Value), String> {
    let (path, raw) = s
        .split_once('=')
        .ok_or_else(|| format!("`--set {s}` needs the form path.to.param=value"))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(format!(
            "`--set {s}`: `{path}` is not a dotted parameter path"
        ));
    }
    let raw = raw.trim();
    if let Ok(x) = raw.parse::<f64>()
        && !x.is_finite()
    {
        return Err(format!(
            "`--set {s}`: `{raw}` is not a finite number (the largest a number can be is about 1.8e308)"
        ));
    }
    let value = match toml::from_str::<Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or(Value::String(raw.to_string())),
        Err(_) => Value::String(raw.to_string()),
    };
    Ok((path.to_string(), value))
}

fn set_path(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    if has_non_finite(&value) {
        return Err(format!(
            "cannot set `{path}`: the value holds a number that is not finite (inf or nan)"
        ));
    }
    // `funds.<id>.…` on a fund the scenario does not have: name it and the ones it has
    let mut parts = path.split('.');
    if let (Some("funds"), Some(id), Some(_)) = (parts.next(), parts.next(), parts.next())
        && let Some(Value::Table(funds)) = doc.get("funds")
        && !funds.contains_key(id)
    {
        let have: Vec<&str> = funds.keys().map(String::as_str).collect();
        return Err(format!(
            "cannot set `{path}`: the scenario has no fund `{id}`; its funds are: {}",
            have.join(", ")
        ));
    }
    let mut parts = path.split('.').peekable();
    let mut table = doc;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            table.insert(part.to_string(), value);
            return Ok(());
        }
        let entry = table
            .entry(part.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        table = match entry {
            Value::Table(t) => t,
            other => {
                return Err(format!(
                    "cannot set `{path}`: `{part}` is a {} here, not a table",
                    other.type_str()
                ));
            }
        };
    }
    Err(format!("`{path}` is not a parameter path"))
}

/// Whether a `--set` value holds inf or nan anywhere (TOML accepts both).
fn has_non_finite(v: &Value) -> bool {
    match v {
        Value::Float(x) => !x.is_finite(),
        Value::Array(a) => a.iter().any(has_non_finite),
        Value::Table(t) => t.values().any(has_non_finite),
        _ => false,
    }
}

fn doc_get<'a>(doc: &'a Table, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut v = doc.get(parts.next()?)?;
    for part in parts {
        v = match v {
            Value::Table(t) => t.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_deep() {
        let mut a: Table = toml::from_str("[x]\na = 1\nb = 2\n[y]\nc = 3").unwrap();
        let b: Table = toml::from_str("[x]\nb = 20").unwrap();
        merge(&mut a, b);
        assert_eq!(a["x"]["a"].as_integer(), Some(1));
        assert_eq!(a["x"]["b"].as_integer(), Some(20));
        assert_eq!(a["y"]["c"].as_integer(), Some(3));
        let mut p: Table = toml::from_str("[x]\nr = { base = 1, growth = 0.1 }").unwrap();
        let q: Table = toml::from_str("[x]\nr = { values = { 2024 = 2 } }").unwrap();
        merge(&mut p, q);
        assert!(
            p["x"]["r"].get("base").is_none(),
            "a dated parameter is replaced whole"
        );
    }

    #[test]
    fn set_parses_values() {
        assert_eq!(
            parse_set("a.b=1.5").unwrap(),
            ("a.b".into(), Value::Float(1.5))
        );
        assert_eq!(
            parse_set("a=x").unwrap(),
            ("a".into(), Value::String("x".into()))
        );
        let (_, v) = parse_set("a.p={ base = 1, growth = 0.1 }").unwrap();
        assert!(v.is_table());
        assert!(parse_set("nothing").is_err());
        assert!(parse_set("a..b=1").is_err());
    }

    #[test]
    fn lines_are_found() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
