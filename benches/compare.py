#!/usr/bin/env python3
"""Compare newsdex with raw tantivy and SQLite FTS5 on the same corpus, in one run.

    python3 benches/compare.py CORPUS.jsonl[.gz] [--queries benches/queries.txt]
        [--reps 20] [--cli-reps 5] [--index-runs 1] [--work DIR] [--keep] [--json OUT]
        [--no-build]

Builds (once) the release binary and the two examples it drives, then, on the same data:

  raw tantivy   examples/raw_tantivy.rs: title + body TEXT (en_stem, positions, stored),
                tantivy defaults, 256 MB writer, min(cores, 4) threads; search is
                QueryParser (AND by default) + top 10 + SnippetGenerator on each body
  newsdex       `newsdex index --no-entities` and plain `newsdex index`; search in-process
                (examples/search_latency.rs: parse + top 10 + 2 passages) and whole-process
                (`newsdex --index DIR search QUERY -n 10 --format json`, start-up included)
  SQLite FTS5   Python's sqlite3: porter unicode61, title + body, bm25 (title 2.0),
                snippet() on the body of the top 10; one transaction, then 'optimize'

Indexing is measured on the child process: wall, user+sys CPU and peak RSS (wait4).
With --index-runs N the raw tantivy and newsdex builds run N times, round-robin (raw,
without entities, with entities, then again), so a slow spell of a shared host hits all
three alike; the table gives each engine's median run by wall time, and every run's wall
time and the with/without-entities ratio of each round are listed under it.
Prints Markdown tables on stdout (progress on stderr); indexes live in a temp dir (or
--work DIR) deleted at the end unless --keep.

The script re-invokes itself as a child (`_fts5-index`, `_fts5-search`) so SQLite is
measured like the other engines, in a process of its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "target" / "release"

# Targets of the benchmarks issue (judged on the 106k-article corpus).
TARGET_ENTITIES_RATIO = 0.5
TARGET_NO_ENTITIES_RATIO = 0.9
TARGET_SEARCH_MEDIAN_MS = 2.0
TARGET_CLI_MEDIAN_MS = 15.0
TARGET_PEAK_RSS_MB = 1536.0
TARGET_SIZE_RATIO = 1.2


def log(msg: str) -> None:
    print(f"compare: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring children


def run_measured(cmd: list[str], **kw) -> dict:
    """Runs cmd to completion; wall seconds, user+sys CPU seconds and peak RSS (MB)."""
    log("$ " + shlex.join(cmd))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    # communicate() would reap the child and lose its rusage: read, then wait4.
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"compare: {cmd[0]} exited with {proc.returncode}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # KiB on Linux
        "stdout": out.decode(),
        "stderr": err.decode(errors="replace"),
    }


def dir_size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                pass
    return total


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (the examples use the same rule)."""
    s = sorted(samples)
    if not s:
        return float("nan")
    rank = min(max(int(-(-p * len(s) // 1)), 1), len(s))
    return s[rank - 1]


def load_queries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.strip().startswith("#")]


# ---------------------------------------------------------------- SQLite FTS5


def read_records(corpus: Path):
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            title = rec.get("title") or ""
            body = rec.get("body") or ""
            if not isinstance(title, str) or not isinstance(body, str):
                continue
            if not title.strip() and not body.strip():
                continue
            date = rec.get("date") or rec.get("published") or ""
            yield title, body, str(date)[:10]


def fts5_index(corpus: Path, db: Path) -> None:
    con = sqlite3.connect(db)
    # The same memory budget as the tantivy writers (256 MB of page cache).
    con.execute("PRAGMA cache_size=-262144")
    con.execute(
        "CREATE VIRTUAL TABLE docs USING fts5("
        "title, body, date UNINDEXED, tokenize='porter unicode61')"
    )
    counts = {"docs": 0, "text_bytes": 0}

    def rows():
        for title, body, date in read_records(corpus):
            counts["docs"] += 1
            counts["text_bytes"] += len(title.encode()) + len(body.encode())
            yield title, body, date

    with con:
        con.executemany("INSERT INTO docs(title, body, date) VALUES (?, ?, ?)", rows())
    with con:
        con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.close()
    print(json.dumps(counts))


TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\() | (?P<rp>\)) |
        (?P<neg>-)?
        (?:(?P<field>[A-Za-z_]+):)?
        (?: "(?P<phrase>[^"]*)"(?:~(?P<slop>\d+))?
          | \[(?P<range>[^\]]*)\]
          | (?P<word>[^\s()"]+) )
    )""",
    re.X,
)


def fts5_translate(query: str):
    """newsdex query language -> (FTS5 MATCH expression, SQL filter, params, notes).

    Words and phrases become quoted FTS5 strings (implicitly AND-ed), `"a b"~N` becomes
    NEAR("a" "b", N), OR/AND and parentheses pass through, `-x`/`NOT x` are gathered into
    one trailing NOT (FTS5's NOT is binary), title:/body: become column filters and
    published:[A TO B] a WHERE on the date column; other fields are dropped (noted).
    """
    out: list[str] = []
    negatives: list[str] = []
    where: list[str] = []
    params: list[str] = []
    notes: list[str] = []
    negate_next = False
    pos = 0
    while pos < len(query):
        m = TOKEN.match(query, pos)
        if not m or m.end() == pos:
            if query[pos:].strip() == "":
                break
            notes.append(f"unparsed {query[pos:]!r}")
            break
        pos = m.end()
        if m["lp"] or m["rp"]:
            out.append("(" if m["lp"] else ")")
            continue
        word, phrase, rng, field = m["word"], m["phrase"], m["range"], m["field"]
        if word in ("AND", "OR") and not field and not m["neg"]:
            out.append(word)
            continue
        if word == "NOT" and not field and not m["neg"]:
            negate_next = True
            continue
        if field and field.lower() == "published" and rng is not None:
            lo, _, hi = (s.strip() for s in rng.partition(" TO "))
            if lo not in ("", "*"):
                where.append("date >= ?")
                params.append(lo[:10])
            if hi not in ("", "*"):
                where.append("date <= ?")
                params.append(hi[:10])
            continue
        if phrase is not None:
            words = [w for w in phrase.split() if w]
            if m["slop"]:
                quoted = " ".join(fts5_string(w) for w in words)
                term = f"NEAR({quoted}, {m['slop']})"
            else:
                term = fts5_string(phrase)
        elif word is not None:
            term = fts5_string(word)
        else:
            notes.append(f"dropped {m.group(0).strip()!r}")
            continue
        if field:
            if field.lower() in ("title", "body"):
                term = f"{field.lower()} : {term}"
            else:
                notes.append(f"dropped field {field!r} (not in the FTS5 table)")
                continue
        if m["neg"] or negate_next:
            negatives.append(term)
            negate_next = False
        else:
            out.append(term)
    # Operators left dangling by what was moved out or dropped.
    cleaned: list[str] = []
    for tok in out:
        if tok in ("AND", "OR") and (not cleaned or cleaned[-1] in ("AND", "OR", "(")):
            continue
        if tok == ")" and cleaned and cleaned[-1] in ("AND", "OR"):
            cleaned.pop()
        cleaned.append(tok)
    while cleaned and cleaned[-1] in ("AND", "OR"):
        cleaned.pop()
    match = " ".join(cleaned).replace("( ", "(").replace(" )", ")")
    if negatives and match:
        match = f"({match}) NOT ({' OR '.join(negatives)})"
    return match, " AND ".join(where), params, notes


def fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_search(db: Path, queries: Path, reps: int) -> None:
    con = sqlite3.connect(db)
    for q in load_queries(queries):
        match, where, params, notes = fts5_translate(q)
        if not match:
            print(json.dumps({"query": q, "skipped": True, "notes": notes}))
            continue
        filt = f" AND {where}" if where else ""
        sql = (
            "SELECT rowid, title, snippet(docs, 1, '<b>', '</b>', '…', 32) FROM docs "
            f"WHERE docs MATCH ?{filt} ORDER BY bm25(docs, 2.0, 1.0, 0.0) LIMIT 10"
        )
        args = [match, *params]
        hits = len(con.execute(sql, args).fetchall())  # warm-up
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            con.execute(sql, args).fetchall()
            times.append((time.perf_counter() - t) * 1e3)
        total = con.execute(
            f"SELECT count(*) FROM docs WHERE docs MATCH ?{filt}", args
        ).fetchone()[0]
        times.sort()
        print(
            json.dumps(
                {
                    "query": q,
                    "fts5": match + (f" WHERE {where} {params}" if where else ""),
                    "notes": notes,
                    "hits": hits,
                    "total": total,
                    "median_ms": percentile(times, 0.5),
                    "p95_ms": percentile(times, 0.95),
                    "times_ms": times,
                }
            ),
            flush=True,
        )


# ---------------------------------------------------------------- machine


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(ram_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "git": git_describe(),
    }


def git_describe() -> str:
    def git(*a: str) -> str:
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{head}{' (uncommitted changes in the tree)' if dirty else ''}"



def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------- the run


def newsdex_articles(stderr: str) -> int:
    m = re.search(r"(\d+) articles indexed", stderr)
    return int(m.group(1)) if m else 0


def index_phase(args, work: Path, exe: dict) -> tuple[list[dict], int]:
    results = []
    corpus = str(args.corpus)

    help_text = subprocess.run(
        [exe["newsdex"], "index", "--help"], capture_output=True, text=True
    ).stdout
    has_flag = "--no-entities" in help_text
    noent_label = (
        "newsdex --no-entities" if has_flag else "newsdex (no --no-entities flag yet: entities on)"
    )
    # (label, index dir, command, articles from the run)
    legs = [
        ("raw tantivy", work / "tantivy", [exe["raw"], "index", corpus, str(work / "tantivy")],
         lambda r: json_lines(r["stdout"])[-1]["docs"]),
        (noent_label, work / "newsdex-noent",
         [exe["newsdex"], "--index", str(work / "newsdex-noent"), "index",
          *(["--no-entities"] if has_flag else []), corpus],
         lambda r: newsdex_articles(r["stderr"])),
        ("newsdex (entities)", work / "newsdex",
         [exe["newsdex"], "--index", str(work / "newsdex"), "index", corpus],
         lambda r: newsdex_articles(r["stderr"])),
    ]
    runs: dict[str, list[dict]] = {label: [] for label, *_ in legs}
    text_bytes = 0
    for round_no in range(max(1, args.index_runs)):
        for label, d, cmd, articles in legs:
            if d.exists():
                shutil.rmtree(d)
            log(f"{label} index, run {round_no + 1} (load {loadavg()})")
            r = run_measured(cmd)
            if label == "raw tantivy":
                text_bytes = json_lines(r["stdout"])[-1]["text_bytes"]
            runs[label].append({"engine": label, "dir": d, "articles": articles(r), **r})
    for label, *_ in legs:
        ordered = sorted(runs[label], key=lambda r: r["wall_s"])
        median = dict(ordered[(len(ordered) - 1) // 2])
        median["all_walls"] = [r["wall_s"] for r in runs[label]]
        results.append(median)

    log(f"SQLite FTS5 index (load {loadavg()})")
    db = work / "fts5.db"
    r = run_measured([sys.executable, __file__, "_fts5-index", corpus, str(db)])
    info = json_lines(r["stdout"])[-1]
    results.append({"engine": "SQLite FTS5", "dir": db, "articles": info["docs"], **r})

    for res in results:
        p = Path(res["dir"])
        res["index_bytes"] = dir_size(p) if p.is_dir() else p.stat().st_size
        res["load"] = loadavg()
    return results, text_bytes


def search_phase(args, work: Path, exe: dict) -> dict:
    queries = str(args.queries)
    reps = str(args.reps)
    out = {}
    log(f"raw tantivy search (load {loadavg()})")
    r = run_measured([exe["raw"], "search", str(work / "tantivy"), queries, reps])
    out["raw tantivy"] = json_lines(r["stdout"])
    log(f"newsdex search in-process (load {loadavg()})")
    r = run_measured([exe["latency"], str(work / "newsdex"), queries, reps])
    out["newsdex"] = json_lines(r["stdout"])
    log(f"FTS5 search (load {loadavg()})")
    r = run_measured([sys.executable, __file__, "_fts5-search", str(work / "fts5.db"), queries, reps])
    out["SQLite FTS5"] = json_lines(r["stdout"])

    log(f"newsdex search whole-process, {args.cli_reps} runs per query (load {loadavg()})")
    cli = []
    for q in load_queries(args.queries):
        cmd = [exe["newsdex"], "--index", str(work / "newsdex"), "search", q, "-n", "10",
               "--format", "json"]
        times = []
        for _ in range(args.cli_reps):
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            times.append((time.perf_counter() - t) * 1e3)
            if r.returncode not in (0, 1):  # 1 is "no hits", like grep
                sys.stderr.write(r.stderr.decode(errors="replace"))
                raise SystemExit(f"compare: newsdex search {q!r} exited with {r.returncode}")
        times.sort()
        cli.append({"query": q, "median_ms": percentile(times, 0.5),
                    "p95_ms": percentile(times, 0.95), "times_ms": times})
    out["newsdex CLI"] = cli
    out["load"] = loadavg()
    return out


def summarize(rows: list[dict]) -> dict:
    timed = [r for r in rows if "times_ms" in r]
    pooled = [t for r in timed for t in r["times_ms"]]
    medians = [r["median_ms"] for r in timed]
    return {
        "queries": len(timed),
        "median_ms": percentile(pooled, 0.5),
        "p95_ms": percentile(pooled, 0.95),
        "mean_ms": statistics.fmean(pooled) if pooled else float("nan"),
        "slowest_query_median_ms": max(medians) if medians else float("nan"),
        "slowest_query": max(timed, key=lambda r: r["median_ms"])["query"] if timed else "",
    }


def fmt(x: float, nd: int = 2) -> str:
    return f"{x:,.{nd}f}"


def report(args, mach, cmdline, load_start, index_res, text_bytes, search_res) -> str:
    mb = text_bytes / 1e6
    lines = []
    w = lines.append
    w(f"Corpus `{args.corpus}`: raw text (title + body) {fmt(mb, 1)} MB.")
    w("")
    w(f"Machine: {mach['nproc']} cores, {mach['cpu']}, {mach['ram_gb']} GB RAM; "
      f"Linux {mach['kernel']}, Python {mach['python']}, SQLite {mach['sqlite']}.")
    w(f"Load average (1/5/15 min) at start: {load_start}.")
    w(f"newsdex at {mach['git']}. Command: `{cmdline}`")
    w("")
    w("### Index build")
    w("")
    w("| engine | articles | wall s | CPU s | CPU/wall | articles/s | MB/s | index MB | index / raw text | peak RSS MB | load avg (1/5/15) after |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in index_res:
        w(f"| {r['engine']} | {r['articles']:,} | {fmt(r['wall_s'])} | {fmt(r['cpu_s'])} | "
          f"{fmt(r['cpu_s'] / r['wall_s'])} | {fmt(r['articles'] / r['wall_s'], 0)} | "
          f"{fmt(mb / r['wall_s'], 1)} | {fmt(r['index_bytes'] / 1e6, 1)} | "
          f"{fmt(r['index_bytes'] / text_bytes)}× | {fmt(r['peak_rss_mb'], 0)} | {r['load']} |")
    w("")
    walls = {r["engine"]: r.get("all_walls", []) for r in index_res}
    if any(len(v) > 1 for v in walls.values()):
        w(f"{len(next(iter(walls.values())))} runs of each Rust build, round-robin; the table "
          "gives each one's median run by wall time (the faster middle one of an even count). "
          "Every run's wall seconds:")
        w("")
        for engine, v in walls.items():
            if len(v) > 1:
                w(f"- {engine}: " + ", ".join(fmt(x) for x in v))
        noent = next((v for e, v in walls.items() if "--no-entities" in e), None)
        ent = walls.get("newsdex (entities)")
        if noent and ent:
            w("- with entities / without, per round: "
              + ", ".join(f"{fmt(a / b)}×" for a, b in zip(ent, noent)))
        w("")
    w(f"### Search: {len(load_queries(args.queries))} queries of `{args.queries.relative_to(REPO) if args.queries.is_relative_to(REPO) else args.queries}`, "
      f"top 10 with passages/snippets ({args.reps} warm runs each in-process, {args.cli_reps} whole-process)")
    w("")
    w("| engine | measured | median ms | p95 ms | mean ms | slowest query (median ms) |")
    w("| --- | --- | ---: | ---: | ---: | --- |")
    modes = {
        "raw tantivy": "in-process: QueryParser + top 10 + SnippetGenerator",
        "newsdex": "in-process: parse + top 10 + 2 passages",
        "SQLite FTS5": "in-process: MATCH + bm25 + snippet()",
        "newsdex CLI": "whole process: `newsdex search -n 10 --format json`",
    }
    sums = {}
    for name, mode in modes.items():
        s = summarize(search_res[name])
        sums[name] = s
        w(f"| {name} | {mode} | {fmt(s['median_ms'], 3)} | {fmt(s['p95_ms'], 3)} | "
          f"{fmt(s['mean_ms'], 3)} | `{s['slowest_query']}` ({fmt(s['slowest_query_median_ms'], 2)}) |")
    w("")
    w(f"Load average after the searches: {search_res['load']}.")
    w("")
    w("Per query (median ms; matching articles in brackets):")
    w("")
    w("| query | raw tantivy | newsdex | FTS5 | newsdex CLI |")
    w("| --- | ---: | ---: | ---: | ---: |")
    by = {name: {r["query"]: r for r in search_res[name]} for name in modes}
    for q in load_queries(args.queries):
        cells = []
        for name in modes:
            r = by[name].get(q)
            if r is None or "median_ms" not in r:
                cells.append("—")
            elif "total" in r:
                relaxed = "*" if r.get("relaxed") else ""
                cells.append(f"{fmt(r['median_ms'], 3)} [{r['total']:,}{relaxed}]")
            else:
                cells.append(fmt(r["median_ms"], 2))
        shown = q.replace("|", "\\|")
        w(f"| `{shown}` | " + " | ".join(cells) + " |")
    notes = [(r["query"], r.get("fts5"), r.get("notes")) for r in search_res["SQLite FTS5"]]
    dropped = [(r["query"], r["dropped"]) for r in search_res["raw tantivy"] if r.get("dropped")]
    if any(r.get("relaxed") for r in search_res["newsdex"]):
        w("")
        w("`*`: no article has every word, so newsdex relaxed the query to articles with some "
          "of them (the others answer nothing).")
    if dropped:
        w("")
        w("raw tantivy dropped (its schema has no such field): "
          + "; ".join(f"`{q}`" for q, _ in dropped) + ".")
    odd = [(q, n) for q, _, n in notes if n]
    if odd:
        w("FTS5 translation notes: " + "; ".join(f"`{q}`: {', '.join(n)}" for q, n in odd) + ".")
    w("")

    # Targets.
    eng = {r["engine"]: r for r in index_res}
    raw_rate = eng["raw tantivy"]["articles"] / eng["raw tantivy"]["wall_s"]
    w("### Targets")
    w("")
    w("| target | figure | verdict |")
    w("| --- | --- | --- |")

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for r in index_res:
        if not r["engine"].startswith("newsdex"):
            continue
        rate = r["articles"] / r["wall_s"]
        need = TARGET_NO_ENTITIES_RATIO if "no-entities" in r["engine"] else TARGET_ENTITIES_RATIO
        w(f"| {r['engine']} index ≥ {need}× raw tantivy articles/s | {fmt(rate, 0)} vs "
          f"{fmt(raw_rate, 0)} = {fmt(rate / raw_rate)}× | {verdict(rate / raw_rate >= need)} |")
    s, f = sums["newsdex"], sums["SQLite FTS5"]
    w(f"| search with passages median ≤ {TARGET_SEARCH_MEDIAN_MS} ms in-process | "
      f"{fmt(s['median_ms'], 3)} ms (p95 {fmt(s['p95_ms'], 3)}) | "
      f"{verdict(s['median_ms'] <= TARGET_SEARCH_MEDIAN_MS)} |")
    w(f"| search faster than FTS5 on the same queries | median {fmt(s['median_ms'], 3)} vs "
      f"{fmt(f['median_ms'], 3)} ms, p95 {fmt(s['p95_ms'], 3)} vs {fmt(f['p95_ms'], 3)} ms | "
      f"{verdict(s['median_ms'] < f['median_ms'] and s['p95_ms'] < f['p95_ms'])} |")
    c = sums["newsdex CLI"]
    w(f"| `newsdex search` whole-process median ≤ {TARGET_CLI_MEDIAN_MS:g} ms | "
      f"{fmt(c['median_ms'], 2)} ms (p95 {fmt(c['p95_ms'], 2)}) | "
      f"{verdict(c['median_ms'] <= TARGET_CLI_MEDIAN_MS)} |")
    for r in index_res:
        if r["engine"].startswith("newsdex"):
            w(f"| {r['engine']} peak RSS ≤ {TARGET_PEAK_RSS_MB / 1024:g} GB | "
              f"{fmt(r['peak_rss_mb'], 0)} MB | {verdict(r['peak_rss_mb'] <= TARGET_PEAK_RSS_MB)} |")
    for r in index_res:
        if r["engine"].startswith("newsdex"):
            ratio = r["index_bytes"] / text_bytes
            w(f"| {r['engine']} index size ≤ {TARGET_SIZE_RATIO}× raw text | {fmt(ratio)}× "
              f"({fmt(r['index_bytes'] / 1e6, 1)} MB) | {verdict(ratio <= TARGET_SIZE_RATIO)} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_fts5-index":
        fts5_index(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_fts5-search":
        fts5_search(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path, help="JSON Lines corpus, optionally gzipped")
    ap.add_argument("--queries", type=Path, default=REPO / "benches" / "queries.txt")
    ap.add_argument("--reps", type=int, default=20, help="warm runs per query in-process")
    ap.add_argument("--cli-reps", type=int, default=5, help="runs per query of `newsdex search`")
    ap.add_argument("--index-runs", type=int, default=1,
                    help="runs of each Rust index build, round-robin; the median is reported")
    ap.add_argument("--work", type=Path, help="where the indexes go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the indexes")
    ap.add_argument("--json", type=Path, help="also write every figure as JSON here")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    args = ap.parse_args()
    args.corpus = args.corpus.resolve()
    args.queries = args.queries.resolve()
    if not args.corpus.is_file():
        raise SystemExit(f"compare: corpus {str(args.corpus)!r} not found")
    cmdline = shlex.join(["python3", *sys.argv])

    if not args.no_build:
        build = ["cargo", "build", "--release", "--bin", "newsdex",
                 "--example", "raw_tantivy", "--example", "search_latency"]
        log("$ " + shlex.join(build))
        subprocess.run(build, cwd=REPO, check=True)
    exe = {
        "newsdex": str(RELEASE / "newsdex"),
        "raw": str(RELEASE / "examples" / "raw_tantivy"),
        "latency": str(RELEASE / "examples" / "search_latency"),
    }

    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="newsdex-compare-", dir=args.work))
    else:
        work = Path(tempfile.mkdtemp(prefix="newsdex-compare-"))
    mach = machine()
    load_start = loadavg()
    try:
        # Private copies: a parallel `cargo build` must not swap a binary mid-run.
        (work / "bin").mkdir()
        for key, path in exe.items():
            exe[key] = str(shutil.copy2(path, work / "bin" / Path(path).name))
        # Every engine reads the corpus from the page cache, not the first one from disk.
        with open(args.corpus, "rb") as f:
            while f.read(1 << 20):
                pass
        index_res, text_bytes = index_phase(args, work, exe)
        search_res = search_phase(args, work, exe)
    finally:
        if args.keep:
            log(f"indexes kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    text = report(args, mach, cmdline, load_start, index_res, text_bytes, search_res)
    print(text)
    if args.json:
        for r in index_res:
            r["dir"] = str(r["dir"])
            r.pop("stdout", None)
        args.json.write_text(json.dumps({
            "machine": mach, "command": cmdline, "load_start": load_start,
            "corpus": str(args.corpus), "text_bytes": text_bytes,
            "index": index_res, "search": search_res,
        }, indent=1))


if __name__ == "__main__":
    main()
