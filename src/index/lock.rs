//! The writer lock: one indexer per index, and a message that names the holder.
//!
//! tantivy already refuses a second writer, but its lock file says nothing about who
//! holds it. newsdex takes an OS file lock (released by the kernel when the process
//! dies, so a killed run never leaves a stale lock) on `newsdex-writer.lock` and
//! writes its pid and start time into it for the next process to read.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result};

const LOCK_FILE: &str = "newsdex-writer.lock";

/// Held for as long as the process writes to the index.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// How to behave when another process holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// Fail at once with [`Error::Locked`].
    No,
    /// Block until the other writer is done.
    Yes,
}

impl WriterLock {
    pub fn acquire(dir: &Path, wait: LockWait) -> Result<WriterLock> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                if wait == LockWait::No {
                    let mut holder = String::new();
                    // Best effort: the holder wrote its pid right after locking.
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(Error::Locked {
                        path: dir.to_path_buf(),
                        holder: if holder.is_empty() {
                            String::new()
                        } else {
                            format!(" ({holder})")
                        },
                    });
                }
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let note = format!(
            "pid {} since {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        );
        let written = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(note.as_bytes()))
            .and_then(|()| file.flush());
        written.map_err(|e| Error::io(&path, e))?;
        Ok(WriterLock { _file: file })
    }
}
