use std::io::BufRead;
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit_once(')').unwrap().1.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}
fn main() {
    #[derive(serde::Deserialize)]
    struct Rec {
        body: Option<String>,
    }
    let f = std::fs::File::open(
        "/work/shared/corpora/reuters_financial_2006_2013/reuters_financial_2006_2013.jsonl.gz",
    )
    .unwrap();
    let r = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
    let bodies: Vec<String> = r
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Rec>(&l).ok()?.body)
        .take(300)
        .collect();
    let bytes: usize = bodies.iter().map(|b| b.len()).sum();
    let t = newsdex::extract::Tagger::embedded().unwrap();
    let mut best = f64::MAX;
    for _ in 0..40 {
        let s = std::time::Instant::now();
        let n: usize = bodies.iter().map(|b| t.mentions(b).len()).sum();
        let e = s.elapsed().as_secs_f64();
        best = best.min(e);
        let _ = (n, cpu);
    }
    let s = std::time::Instant::now();
    let n: usize = bodies
        .iter()
        .map(|b| {
            let tk = newsdex::extract::tokenize::tokenize(b);
            newsdex::extract::tokenize::sentences(b, &tk).len()
        })
        .sum();
    eprintln!(
        "tokenize {:.1} MB/s {n}",
        bytes as f64 / 1e6 / s.elapsed().as_secs_f64()
    );
    eprintln!(
        "{} bodies {:.2} MB, best {:.3}s = {:.2} MB/s",
        bodies.len(),
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best
    );
}
