//! Error type shared by the analysis machinery.

use crate::scenario::ScenarioError;
use std::sync::Arc;
use thiserror::Error;

/// Everything that can go wrong in `drgsim::analysis`.
///
/// Every message says what is wrong and, where there is one, what to do about it.
#[derive(Debug, Clone, Error)]
pub enum AnalysisError {
    /// What was asked cannot be done as asked (an unknown lever path, an
    /// empty range, a section that does not fit the scenario, ...); the
    /// message says what to change.
    #[error("{0}")]
    Request(String),

    /// A scenario moved by the analysis (a lever set through `--set`) does not
    /// check out.
    #[error(transparent)]
    Scenario(Arc<ScenarioError>),

    /// An error with the place it happened (`--x funds.resident.premium`).
    #[error("{context}")]
    Context {
        /// Where: the option, section or parameter.
        context: String,
        /// What went wrong there.
        #[source]
        source: Box<AnalysisError>,
    },

    /// One or more distribution specifications are invalid.
    #[error("invalid distribution for parameter #{index}: {}", .errors.join("; "))]
    InvalidSpec {
        /// Position of the offending spec in the list given to the sampler.
        index: usize,
        /// One message per problem, each naming the field.
        errors: Vec<String>,
    },

    /// The correlation matrix cannot be used.
    #[error("invalid correlation matrix: {0}")]
    InvalidCorrelation(String),

    /// A slice or matrix had the wrong length or shape.
    #[error("dimension mismatch in {what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What was being checked.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },

    /// A numeric argument is out of its allowed range.
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// Name of the argument.
        name: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },

    /// The rayon thread pool could not be built.
    #[error(
        "could not start a thread pool with {threads} threads: {message} (try fewer threads or omit the thread count)"
    )]
    ThreadPool {
        /// Requested number of threads.
        threads: usize,
        /// Message from rayon.
        message: String,
    },

    /// The function has the same sign at every scanned point of the interval.
    #[error(
        "no value in the allowed range [{lo}, {hi}] meets the target: the function (value minus target) \
         is {f_lo} at {lo} and {f_hi} at {hi} and does not change sign on a scan of the range; \
         the best achievable was {best_f} (distance from the target) at x = {best_x}. \
         Widen the range or relax the target."
    )]
    NoSignChange {
        /// Lower end of the searched range.
        lo: f64,
        /// Upper end of the searched range.
        hi: f64,
        /// Function value at `lo`.
        f_lo: f64,
        /// Function value at `hi`.
        f_hi: f64,
        /// Scanned point with the smallest |f|.
        best_x: f64,
        /// f at `best_x`.
        best_f: f64,
    },

    /// A monotone goal seek cannot reach the target anywhere in the range.
    #[error(
        "no value in the allowed range [{lo}, {hi}] reaches the target {target}; \
         the best achievable value is {best_value} at x = {best_x}. \
         Widen the range or lower the target."
    )]
    TargetUnreachable {
        /// Lower end of the range.
        lo: f64,
        /// Upper end of the range.
        hi: f64,
        /// The requested target.
        target: f64,
        /// The x giving the best value.
        best_x: f64,
        /// The best value achievable in the range.
        best_value: f64,
    },

    /// The function returned NaN or an infinity where a finite value was needed.
    #[error(
        "the function returned a non-finite value ({value}) at x = {x}; check the model inputs near this value or narrow the range"
    )]
    NonFinite {
        /// Where it happened.
        x: f64,
        /// What was returned.
        value: f64,
    },

    /// An iterative method did not converge.
    #[error(
        "no convergence after {iterations} iterations (last x = {x}, f(x) = {fx}); increase max_iter or loosen the tolerance"
    )]
    NoConvergence {
        /// Iterations used.
        iterations: usize,
        /// Last iterate.
        x: f64,
        /// Function value there.
        fx: f64,
    },
}

impl From<ScenarioError> for AnalysisError {
    fn from(e: ScenarioError) -> Self {
        AnalysisError::Scenario(Arc::new(e))
    }
}

impl AnalysisError {
    /// The same error, said to have happened at `context`.
    pub fn context(self, context: impl Into<String>) -> AnalysisError {
        AnalysisError::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }
}

/// An [`AnalysisError::Request`] with a formatted message.
macro_rules! err {
    ($($t:tt)*) => {
        $crate::analysis::AnalysisError::Request(format!($($t)*))
    };
}

/// Returns an [`AnalysisError::Request`] with a formatted message.
macro_rules! bail {
    ($($t:tt)*) => {
        return Err($crate::analysis::error::err!($($t)*))
    };
}

pub(crate) use {bail, err};

/// Shorthand for `Result<T, AnalysisError>`.
pub type Result<T> = std::result::Result<T, AnalysisError>;

pub(crate) fn invalid(name: &'static str, message: impl Into<String>) -> AnalysisError {
    AnalysisError::InvalidArgument {
        name,
        message: message.into(),
    }
}
