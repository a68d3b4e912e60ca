//! Shared helpers for integration tests: a fresh temp dir per test and the real
//! binary run inside it with colour and NEWSDEX_* variables cleared (hermetic).

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The stdout JSON lines parsed.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent folders) relative to the test dir.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// Copies the repo's seeds/ into the test dir as seeds/.
    pub fn with_seeds(&self) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.expect("walk seeds");
            let rel = entry.path().strip_prefix(&from).expect("under seeds");
            let to = self.dir.path().join("seeds").join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).expect("mkdir");
            } else {
                std::fs::copy(entry.path(), &to).expect("copy seed");
            }
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsdex"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .env_remove("NEWSDEX_INDEX")
            .env_remove("NEWSDEX_CORPORA")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "dumb");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run newsdex"))
    }

    /// Runs and asserts the exit code, printing output on failure.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "newsdex {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run
    }
}

/// Where the shared corpora are (NEWSDEX_CORPORA or ../shared/corpora), if present.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSDEX_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    dir.is_dir().then_some(dir)
}

/// A file of the shared corpora by its path inside them; `None`, after saying on stderr
/// that the test is skipped, when the corpora or the file are absent.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    let Some(corpora) = corpora() else {
        eprintln!("skipped: ../shared/corpora absent (set NEWSDEX_CORPORA)");
        return None;
    };
    let file = corpora.join(rel);
    if !file.is_file() {
        eprintln!("skipped: {} absent", file.display());
        return None;
    }
    Some(file)
}
