//! What the user typed that every subcommand shares, and what it resolves to.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use newsdex::index::DEFAULT_INDEX_DIR;

#[derive(Debug, Args)]
pub struct Global {
    /// Index directory [default: ./index]
    #[arg(long, global = true, env = "NEWSDEX_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Print nothing but errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print a line per file (index, reindex)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl Global {
    /// The index directory, and whether the user chose it (flag or env) or it is the default.
    pub fn index_dir(&self) -> (PathBuf, bool) {
        match &self.index {
            Some(dir) => (dir.clone(), true),
            None => (PathBuf::from(DEFAULT_INDEX_DIR), false),
        }
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set or TERM is dumb
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// Output format of commands that print records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Human-readable text
    #[default]
    Text,
    /// JSON Lines: one object per record
    Json,
}

/// The folder a fresh checkout indexes when asked to search with no index yet.
pub const SEEDS_DIR: &str = "seeds";

/// True when `dir` has no index yet.
pub fn is_missing(dir: &Path) -> bool {
    !dir.join("meta.json").is_file()
}
