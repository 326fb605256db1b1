//! What can go wrong while reading the inputs or writing the report. Every error names
//! the file it is about, so a reader knows what to regenerate or fix.

use std::io;
use std::path::PathBuf;

/// A report could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input file or directory does not exist.
    #[error("{path}: not found; {hint}")]
    Missing {
        /// The file or directory that was expected.
        path: PathBuf,
        /// How to create it.
        hint: String,
    },
    /// An input file exists but does not hold what the report expects.
    #[error("{path}: {reason}")]
    Malformed {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: cannot {action}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// `read`, `write`, `create directory`, ...
        action: &'static str,
        /// The operating system's reason.
        source: io::Error,
    },
    /// plotters could not draw a chart.
    #[error("{path}: cannot draw the chart: {reason}")]
    Chart {
        /// The chart being drawn.
        path: PathBuf,
        /// plotters' message.
        reason: String,
    },
}

impl ReportError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Self {
        ReportError::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// A malformed-input error on `path`.
    pub(crate) fn malformed(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ReportError::Malformed {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
