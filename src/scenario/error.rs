//! Scenario errors: every problem names the file, the field and, where the
//! format gives one, the line.

use std::fmt;
use std::path::PathBuf;

/// One located problem in a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// File the value came from (`None` for the command line).
    pub file: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted path of the field (`funds.resident.revenue.premium`), or a
    /// description of the place (`row 3, column share` of a CSV table).
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl Diagnostic {
    /// A problem in a `--set` given on the command line.
    pub fn command_line(path: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: None,
            path: path.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, _) => write!(f, "--set: ")?,
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("cannot read scenario file {}{}: {reason}", file.display(), referenced_by.as_ref().map(|r| format!(" (named by `extends` in {})", r.display())).unwrap_or_default())]
    Read {
        /// The file.
        file: PathBuf,
        /// The file whose `extends` named it.
        referenced_by: Option<PathBuf>,
        /// The operating system's reason.
        reason: String,
    },
    /// `extends` loops back on itself.
    #[error("`extends` forms a cycle: {}; make one of these files stand alone", cycle.join(" -> "))]
    ExtendsCycle {
        /// The files in the loop.
        cycle: Vec<String>,
    },
    /// One or more problems in the content.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(d: &[Diagnostic]) -> String {
    let mut s = format!(
        "{} problem{} in the scenario:",
        d.len(),
        if d.len() == 1 { "" } else { "s" }
    );
    for x in d {
        s.push_str("\n  ");
        s.push_str(&x.to_string());
    }
    s
}

impl ScenarioError {
    /// The located problems (one for read and cycle errors).
    pub fn diagnostics(&self) -> Vec<String> {
        match self {
            ScenarioError::Invalid(d) => d.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }
}
