fn main() {
    let text = std::fs::read_to_string("/work/main/seeds/000_d5240dadc151992f.txt").unwrap();
    let mut lines = text.lines();
    let title = lines.next().unwrap();
    let body: Vec<&str> = lines
        .filter(|l| !l.starts_with("Original Source:"))
        .collect();
    let t = newsdex::extract::Tagger::embedded().unwrap();
    println!("{:#?}", t.entities(Some(title), &body.join("\n")));
    let s = std::time::Instant::now();
    let _ =
        newsdex::extract::Tagger::from_bytes(include_bytes!("/work/main/models/ner.bin")).unwrap();
    println!("load {:?}", s.elapsed());
}
