//! Scenario errors: every problem names the file, the field and, where the
//! format gives one, the line and column.
//!
//! One type, [`Diagnostic`], describes a problem anywhere in a scenario: a
//! field of the TOML file, a `--set` on the command line, or a cell of one of
//! the CSV tables the scenario names (age profile, group, hospital and weight
//! tables). The error underneath (an I/O or CSV error, or the table problem
//! behind a scenario field) is kept as the [`std::error::Error::source`] rather
//! than flattened into the message; [`Diagnostic::chain`] renders the whole
//! story on one line.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The error underneath a [`Diagnostic`], shared so diagnostics stay cheap to clone.
pub type Cause = Arc<dyn Error + Send + Sync + 'static>;

/// One located problem: "problem at file:line:column".
///
/// A check that knows only the dotted path of the field (`funds.resident.premiums.premium`)
/// builds it with [`Diagnostic::field`]; the loader then locates it in the file
/// and line that wrote the field ([`crate::scenario::source::RawScenario::locate`]).
/// A CSV reader builds it with [`Diagnostic::in_file`] and [`Diagnostic::column`].
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// File the value came from (`None` for the command line, or before the
    /// loader has located a [`Diagnostic::field`]).
    pub file: Option<PathBuf>,
    /// 1-based line, when known (line 1 of a CSV table is its header).
    pub line: Option<usize>,
    /// Column header of a CSV table, when one column is at fault.
    pub column: Option<String>,
    /// Dotted path of the field (`funds.resident.revenue.premium`); empty for
    /// a problem in a CSV table, which is located by line and column.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The value was given on the command line (`--set`).
    pub command_line: bool,
    /// The error underneath, if any.
    pub cause: Option<Cause>,
}

impl Diagnostic {
    /// A problem at a dotted path, not yet located in a file.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            command_line: false,
            cause: None,
        }
    }

    /// A problem in a `--set` given on the command line.
    pub fn command_line(path: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            command_line: true,
            ..Diagnostic::field(path, message)
        }
    }

    /// A problem in `file` at a 1-based `line` (`0` = the whole file).
    pub fn in_file(file: &Path, line: u64, message: impl Into<String>) -> Self {
        Diagnostic {
            file: Some(file.to_path_buf()),
            line: (line > 0).then_some(line as usize),
            ..Diagnostic::field("", message)
        }
    }

    /// The same problem, pinned to a column of a CSV table.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// The same problem, with the error underneath it.
    pub fn caused_by(mut self, cause: impl Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// The problem followed by every error underneath it, `: `-separated
    /// (`scenario.toml:12: funds.resident.payment.groups: cannot use the group
    /// table: groups.csv:3: column `code`: duplicate group code `A1``).
    pub fn chain(&self) -> String {
        let mut s = self.to_string();
        let mut next = self.source();
        while let Some(e) = next {
            s.push_str(": ");
            s.push_str(&e.to_string());
            next = e.source();
        }
        s
    }
}

impl PartialEq for Diagnostic {
    /// Equal when they say the same thing at the same place (causes compared by text).
    fn eq(&self, other: &Self) -> bool {
        self.file == other.file
            && self.line == other.line
            && self.column == other.column
            && self.path == other.path
            && self.message == other.message
            && self.command_line == other.command_line
            && self.cause.as_ref().map(ToString::to_string)
                == other.cause.as_ref().map(ToString::to_string)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, _) if self.command_line => f.write_str("--set: ")?,
            (None, _) => {}
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        if let Some(c) = &self.column {
            write!(f, "column `{c}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl Error for Diagnostic {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.cause.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// Several problems found together (a table or a scenario is checked in full
/// before it is rejected, so the user can fix everything in one pass).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// One problem.
    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    /// One problem a line, each with the errors underneath it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&d.chain())?;
        }
        Ok(())
    }
}

impl Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::one(d)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("cannot read scenario file {}{}", file.display(), referenced_by.as_ref().map(|r| format!(" (named by `extends` in {})", r.display())).unwrap_or_default())]
    Read {
        /// The file.
        file: PathBuf,
        /// The file whose `extends` named it.
        referenced_by: Option<PathBuf>,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
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
        s.push_str(&x.chain());
    }
    s
}

impl ScenarioError {
    /// The located problems, each with the errors underneath it (one for read
    /// and cycle errors).
    pub fn diagnostics(&self) -> Vec<String> {
        match self {
            ScenarioError::Invalid(d) => d.iter().map(Diagnostic::chain).collect(),
            ScenarioError::Read { source, .. } => vec![format!("{self}: {source}")],
            other => vec![other.to_string()],
        }
    }
}
