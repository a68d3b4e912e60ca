//! `newsdex parse FILE...`: the articles ingest extracts from files, as JSON Lines,
//! without touching an index — to see what newsdex makes of an input before indexing it.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use newsdex::ingest::{parse, walk};

use crate::config::Global;
use crate::exit;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// Files and folders to parse, at any depth (folders yield their article formats)
    #[arg(value_name = "FILE", required = true)]
    pub paths: Vec<PathBuf>,
}

/// Prints one JSON object per article on stdout and each problem on stderr; 0 when
/// any article came out, 1 when none did.
pub fn run(global: &Global, args: ParseArgs) -> anyhow::Result<u8> {
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let mut articles = 0usize;
    let mut failed: Option<std::io::Error> = None;
    for file in walk(&args.paths) {
        let file = match file {
            Ok(f) => f,
            Err(problem) => {
                report(global, &problem);
                continue;
            }
        };
        let raw = match newsdex::ingest::read_raw(&file) {
            Ok(raw) => raw,
            Err(problem) => {
                report(global, &problem);
                continue;
            }
        };
        parse(&file, &raw, &mut |result| match result {
            Ok(article) => {
                if failed.is_some() {
                    return;
                }
                let written = serde_json::to_writer(&mut out, &article)
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"));
                match written {
                    Ok(()) => articles += 1,
                    Err(e) => failed = Some(e),
                }
            }
            Err(problem) => report(global, &problem),
        });
        if let Some(e) = failed.take() {
            return Err(e).context("writing articles to stdout");
        }
    }
    out.flush().context("writing articles to stdout")?;
    Ok(if articles > 0 {
        exit::OK
    } else {
        exit::NO_HITS
    })
}

fn report(global: &Global, problem: &newsdex::ingest::Problem) {
    if problem.kind.is_warning() {
        if !global.quiet {
            eprintln!("newsdex: warning: {problem}");
        }
    } else {
        eprintln!("newsdex: skipped: {problem}");
    }
}
