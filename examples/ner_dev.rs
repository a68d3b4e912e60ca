//! Temporary driver for `newsdex ner` until the main binary dispatches to it.
#[path = "../src/bin/newsdex/ner.rs"]
mod ner;
use clap::Parser;
#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    ner: ner::NerArgs,
}
fn main() -> anyhow::Result<()> {
    let code = ner::run(Cli::parse().ner)?;
    std::process::exit(code)
}
