//! `newsdex ner`: train, evaluate and run the named-entity tagger.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use newsdex::extract::conll::{self, Document};
use newsdex::extract::features::Clusters;
use newsdex::extract::train::{self, TrainOptions};
use newsdex::extract::{Tagger, clusters};

/// Arguments of `newsdex ner`.
#[derive(clap::Args, Debug)]
pub struct NerArgs {
    #[command(subcommand)]
    pub command: NerCommand,
}

/// What `newsdex ner` does.
#[derive(clap::Subcommand, Debug)]
pub enum NerCommand {
    /// Train a model on CoNLL files (deterministic for a given seed), keeping the epoch
    /// that scores best on the dev file
    Train(TrainArgs),
    /// Score a model on a CoNLL file: entity-level precision, recall and F1 per type and
    /// overall, as conlleval counts them
    Eval(EvalArgs),
    /// Tag text read from stdin and print the entities found, one per line
    Tag(TagArgs),
    /// Learn word clusters from unlabeled news (JSON Lines with a "body" field, optionally
    /// gzipped) for `ner train --clusters`
    Clusters(ClustersArgs),
}

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// CoNLL training files (token first column, IOB1/BIO NER tag last column)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// CoNLL dev file for early stopping
    #[arg(long)]
    pub dev: PathBuf,
    /// Where to write the model
    #[arg(short, long)]
    pub output: PathBuf,
    /// Maximum epochs per pass
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    /// Seed for the shuffling order
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Word cluster file written by `newsdex ner clusters`
    #[arg(long)]
    pub clusters: Option<PathBuf>,
    /// log2 of the number of feature hash buckets
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(16..=24))]
    pub bits: u32,
    /// Train only the first pass (no document-level second pass)
    #[arg(long)]
    pub single_pass: bool,
    /// Drop weights smaller than this from the shipped model
    #[arg(long, default_value_t = 0.02)]
    pub prune: f32,
    /// Ignore features that fewer training tokens than this use
    #[arg(long, default_value_t = 2)]
    pub min_count: u16,
}

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Model file ("embedded" for the model compiled into this binary)
    pub model: PathBuf,
    /// CoNLL file to score against
    pub file: PathBuf,
}

/// Output formats of `ner tag`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TagFormat {
    /// TYPE<TAB>text<TAB>start-end
    #[default]
    Text,
    /// One JSON object per line
    Json,
}

#[derive(clap::Args, Debug)]
pub struct TagArgs {
    /// Model file (default: the model compiled into this binary)
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TagFormat::Text)]
    pub format: TagFormat,
}

#[derive(clap::Args, Debug)]
pub struct ClustersArgs {
    /// JSON Lines files (plain or .gz) of articles with a "body" field
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the cluster table
    #[arg(short, long)]
    pub output: PathBuf,
    /// Stop reading after this many megabytes of article text
    #[arg(long, default_value_t = 150)]
    pub max_mb: usize,
    /// Number of most frequent words to cluster
    #[arg(long, default_value_t = 40_000)]
    pub vocab: usize,
}

/// Runs `newsdex ner`; returns the process exit code.
pub fn run(args: NerArgs) -> anyhow::Result<i32> {
    match args.command {
        NerCommand::Train(a) => train_cmd(a),
        NerCommand::Eval(a) => eval_cmd(a),
        NerCommand::Tag(a) => tag_cmd(a),
        NerCommand::Clusters(a) => clusters_cmd(a),
    }
}

fn read_conll(path: &Path) -> anyhow::Result<Vec<Document>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    conll::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn load_tagger(path: Option<&Path>) -> anyhow::Result<Tagger> {
    match path {
        None => Tagger::embedded().context("loading the embedded model"),
        Some(p) if p.as_os_str() == "embedded" => {
            Tagger::embedded().context("loading the embedded model")
        }
        Some(p) => Tagger::load(p).with_context(|| format!("loading model {}", p.display())),
    }
}

fn train_cmd(a: TrainArgs) -> anyhow::Result<i32> {
    let t0 = Instant::now();
    let mut docs = Vec::new();
    for f in &a.files {
        docs.extend(read_conll(f)?);
    }
    let dev = read_conll(&a.dev)?;
    if docs.is_empty() {
        bail!("no sentences in the training files");
    }
    let clusters = match &a.clusters {
        Some(p) => {
            let b = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            Clusters::from_bytes(&b).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => Clusters::default(),
    };
    let opts = TrainOptions {
        epochs: a.epochs,
        seed: a.seed,
        bits: a.bits,
        two_pass: !a.single_pass,
        prune: a.prune,
        min_count: a.min_count,
        ..TrainOptions::default()
    };
    eprintln!(
        "training on {} documents, {} clusters, dev {}",
        docs.len(),
        clusters.map.len(),
        a.dev.display()
    );
    let model = train::train(&docs, &dev, clusters, &opts, &mut |line| {
        eprintln!("{line}")
    });
    let bytes = model.to_bytes();
    std::fs::write(&a.output, &bytes).with_context(|| format!("writing {}", a.output.display()))?;
    let scores = train::evaluate(&model, &dev);
    eprintln!(
        "wrote {} ({:.2} MB) in {:.1}s; dev F1 of the written model {:.2}",
        a.output.display(),
        bytes.len() as f64 / 1e6,
        t0.elapsed().as_secs_f64(),
        scores.overall().f1
    );
    Ok(0)
}

fn eval_cmd(a: EvalArgs) -> anyhow::Result<i32> {
    let tagger = load_tagger(Some(&a.model))?;
    let docs = read_conll(&a.file)?;
    let t = Instant::now();
    let scores = train::evaluate(tagger.model(), &docs);
    let tokens: usize = docs
        .iter()
        .flat_map(|d| &d.sentences)
        .map(|s| s.words.len())
        .sum();
    print!("{}", scores.report());
    eprintln!("{tokens} tokens in {:.2}s", t.elapsed().as_secs_f64());
    Ok(0)
}

/// Drops control and bidi characters before text reaches a terminal.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

fn tag_cmd(a: TagArgs) -> anyhow::Result<i32> {
    let tagger = load_tagger(a.model.as_deref())?;
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context("reading stdin")?;
    let text = String::from_utf8_lossy(&input);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for m in tagger.mentions(&text) {
        let r = match a.format {
            TagFormat::Text => writeln!(
                out,
                "{}\t{}\t{}-{}",
                m.kind.tag(),
                sanitize(&m.text),
                m.start,
                m.end
            ),
            TagFormat::Json => {
                let v = serde_json::json!({
                    "type": m.kind.tag(), "text": m.text, "start": m.start, "end": m.end,
                });
                writeln!(out, "{v}")
            }
        };
        if let Err(e) = r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(0);
            }
            return Err(e).context("writing to stdout");
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(0),
    }
}

fn clusters_cmd(a: ClustersArgs) -> anyhow::Result<i32> {
    let t0 = Instant::now();
    let opts = clusters::ClusterOptions {
        max_bytes: a.max_mb * 1_000_000,
        vocab: a.vocab,
        ..clusters::ClusterOptions::default()
    };
    let table = clusters::learn_from_jsonl(&a.files, &opts, &mut |line| eprintln!("{line}"))
        .context("learning word clusters")?;
    std::fs::write(&a.output, table.to_bytes())
        .with_context(|| format!("writing {}", a.output.display()))?;
    eprintln!(
        "wrote {} words to {} in {:.1}s",
        table.map.len(),
        a.output.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        ner: NerArgs,
    }

    #[test]
    fn cli_debug_assert() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sanitize_strips_bidi_and_controls() {
        assert_eq!(sanitize("a\u{202e}b\u{7}c"), "abc");
    }
}
