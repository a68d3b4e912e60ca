//! The library's error type: user mistakes kept apart from internal faults.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
///
/// The first group are mistakes a user can fix (a bad query, a missing index, an
/// unreadable file); the second are faults inside newsdex or its index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query text could not be parsed.
    #[error("query error at position {position}: {message}")]
    Query { position: usize, message: String },

    /// A date given on the command line or in a query could not be read.
    #[error("invalid date {value:?}: expected YYYY-MM-DD or an RFC 3339 date-time")]
    Date { value: String },

    /// The index directory holds no newsdex index.
    #[error(
        "no index at {path:?}: create one with `newsdex index PATH...` (or pass --index DIR / set NEWSDEX_INDEX)"
    )]
    NoIndex { path: PathBuf },

    /// Another process holds the index writer lock.
    #[error("index at {path:?} is locked by another writer{holder}")]
    Locked { path: PathBuf, holder: String },

    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A user-supplied value was not valid (an unknown field, a bad flag value).
    #[error("{0}")]
    Invalid(String),

    /// The index exists but was written with a different schema.
    #[error(
        "index at {path:?} has an incompatible schema: {message}; rebuild it with `newsdex index --rebuild`"
    )]
    Schema { path: PathBuf, message: String },

    /// The run was stopped (Ctrl-C, SIGTERM) before it committed; the index keeps
    /// its last commit.
    #[error("stopped before committing; the index keeps its last commit")]
    Cancelled,

    /// An error reported by tantivy (index corruption, I/O inside the index).
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),

    /// An error while reading or writing the model or other internal data.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// True when the error comes from what the user typed or pointed at,
    /// rather than from a fault inside newsdex.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Query { .. }
                | Error::Date { .. }
                | Error::NoIndex { .. }
                | Error::Locked { .. }
                | Error::Io { .. }
                | Error::Invalid(_)
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The library's result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
