//! Walking the roots: files and folders at any depth, in a stable order.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::{Problem, ProblemKind, SourceFile, has_supported_extension, io_message};

/// Lists the files under `roots`, each folder's entries sorted by file name.
///
/// Symbolic links are followed; a link back to an ancestor is reported as
/// [`ProblemKind::Loop`] and an unreadable entry as [`ProblemKind::Unreadable`],
/// and the walk goes on. Hidden files and folders (`.git`, `.DS_Store`) are skipped.
/// Inside a folder only article formats are picked up (`.txt`, `.text`, `.json`,
/// `.jsonl`, `.ndjson`, `.html`, `.htm`, `.xhtml`, `.rss`, `.atom`, `.xml`, `.rdf`,
/// `.warc`, each also with `.gz`); a file named as a root is always yielded and its
/// format told from its content.
pub fn walk(roots: &[PathBuf]) -> impl Iterator<Item = Result<SourceFile, Problem>> + use<> {
    let roots = roots.to_vec();
    roots.into_iter().flat_map(walk_root)
}

fn walk_root(root: PathBuf) -> impl Iterator<Item = Result<SourceFile, Problem>> {
    WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
        .filter_map(move |entry| match entry {
            Ok(entry) => source_file(&root, entry),
            Err(err) => Some(Err(walk_problem(&root, err))),
        })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// The read-me, licence and change-log files that datasets ship beside their articles
/// (`README.TXT`, `LICENSE.txt`, `CHANGELOG.md`…). Skipped when walking a folder; a file
/// named on the command line is still read.
fn is_dataset_document(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    [
        "readme",
        "license",
        "licence",
        "copying",
        "changelog",
        "changes",
        "authors",
        "notice",
    ]
    .iter()
    .any(|doc| stem.eq_ignore_ascii_case(doc))
}

fn source_file(root: &Path, entry: walkdir::DirEntry) -> Option<Result<SourceFile, Problem>> {
    let file_type = entry.file_type();
    if file_type.is_dir() {
        return None;
    }
    let explicit = entry.depth() == 0;
    let name = entry.file_name().to_string_lossy();
    if !explicit && (!has_supported_extension(&name) || is_dataset_document(&name)) {
        return None;
    }
    let path = entry.path().to_path_buf();
    if !file_type.is_file() {
        // Devices and pipes could block or never end; only regular files are read.
        return explicit.then(|| {
            Err(Problem::new(
                path,
                None,
                ProblemKind::Unsupported,
                "not a regular file",
            ))
        });
    }
    let rel = if explicit {
        name.into_owned()
    } else {
        relative(root, entry.path())
    };
    let metadata = match entry.metadata() {
        Ok(m) => m,
        Err(err) => return Some(Err(walk_problem(root, err))),
    };
    let mtime_ns = metadata
        .modified()
        .map_or(0, |t| match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
        });
    Some(Ok(SourceFile {
        path,
        rel,
        size: metadata.len(),
        mtime_ns,
    }))
}

/// `path` relative to `root`, `/`-separated whatever the platform.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

fn walk_problem(root: &Path, err: walkdir::Error) -> Problem {
    let path = err.path().unwrap_or(root).to_path_buf();
    if let Some(ancestor) = err.loop_ancestor() {
        return Problem::new(
            path,
            None,
            ProblemKind::Loop,
            format!(
                "symbolic link loop: points back to {:?}, not followed",
                ancestor.display().to_string()
            ),
        );
    }
    let message = match err.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound && err.depth() > 0 => {
            "cannot read: broken symbolic link or file vanished".to_string()
        }
        Some(io) => format!("cannot read: {}", io_message(io)),
        None => format!("cannot read: {}", super::lowercase_first(&err.to_string())),
    };
    Problem::new(path, None, ProblemKind::Unreadable, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().expect("test paths have parents")).expect("mkdir");
        fs::write(path, text).expect("write test file");
    }

    #[test]
    fn nested_folders_sorted_hidden_skipped_and_loop_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("news");
        write(&root.join("b.txt"), "B\n\nbody");
        write(&root.join("a/deep/er/c.jsonl"), "{\"title\": \"c\"}\n");
        write(&root.join("a/z.json.gz"), "not really gzip");
        write(&root.join("a/notes.md"), "# not an article");
        write(&root.join("a/page.htm"), "<html></html>");
        write(&root.join("a/crawl.warc.gz"), "");
        write(&root.join("feeds/world.rss"), "<rss/>");
        write(&root.join("a/image.png"), "png");
        write(&root.join(".git/HEAD.txt"), "hidden");
        write(&root.join(".hidden.txt"), "hidden");
        write(&root.join("README.TXT"), "About this dataset");
        write(&root.join("sub/LICENSE.txt"), "Licence text");
        write(&root.join("UPPER.TXT"), "Upper\n\nbody");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&root, root.join("a/loop")).expect("symlink");
            std::os::unix::fs::symlink(root.join("missing.txt"), root.join("dangling.txt"))
                .expect("symlink");
            std::os::unix::fs::symlink(root.join("b.txt"), root.join("a/link.txt"))
                .expect("symlink");
        }

        let results: Vec<_> = walk(std::slice::from_ref(&root)).collect();
        let rels: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|f| f.rel.as_str())
            .collect();
        let problems: Vec<&Problem> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        #[cfg(unix)]
        {
            assert_eq!(
                rels,
                [
                    "UPPER.TXT",
                    "a/crawl.warc.gz",
                    "a/deep/er/c.jsonl",
                    "a/link.txt",
                    "a/page.htm",
                    "a/z.json.gz",
                    "b.txt",
                    "feeds/world.rss"
                ]
            );
            let kinds: Vec<_> = problems.iter().map(|p| p.kind).collect();
            assert_eq!(
                kinds,
                [ProblemKind::Loop, ProblemKind::Unreadable],
                "{problems:?}"
            );
            assert_eq!(problems[0].path, root.join("a/loop"));
            assert!(
                problems[0].to_string().contains("symbolic link loop"),
                "{}",
                problems[0]
            );
            assert_eq!(problems[1].path, root.join("dangling.txt"));
        }
        let b = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .find(|f| f.rel == "b.txt")
            .expect("b.txt is walked");
        assert_eq!(b.path, root.join("b.txt"));
        assert_eq!(b.size, 7);
        assert!(b.mtime_ns > 0);

        // Same tree, same order.
        let again: Vec<_> = walk(std::slice::from_ref(&root)).collect();
        assert_eq!(results, again);
    }

    #[test]
    fn explicit_file_root_is_always_yielded_by_its_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("sub/notes.md");
        write(&file, "Title\n\nbody");
        let results: Vec<_> = walk(std::slice::from_ref(&file)).collect();
        assert_eq!(results.len(), 1);
        let f = results[0].as_ref().expect("explicit file is yielded");
        assert_eq!(f.rel, "notes.md");
        assert_eq!(f.path, file);
    }

    #[test]
    fn missing_root_is_a_problem_not_a_failure() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope");
        let existing = dir.path().join("yes");
        write(&existing.join("a.txt"), "A");
        let results: Vec<_> = walk(&[missing.clone(), existing]).collect();
        assert_eq!(results.len(), 2);
        let p = results[0].as_ref().expect_err("missing root");
        assert_eq!(p.kind, ProblemKind::Unreadable);
        assert_eq!(p.path, missing);
        assert!(
            p.message.starts_with("cannot read: no such file"),
            "{}",
            p.message
        );
        assert_eq!(results[1].as_ref().map(|f| f.rel.as_str()), Ok("a.txt"));
    }
}
