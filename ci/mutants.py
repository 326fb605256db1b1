#!/usr/bin/env python3
"""Hand-listed mutation testing: does `locklab check` (then `cargo test`) catch each
mutant of the correct rungs' guards and of the kit's store operations?

    python3 ci/mutants.py                 # every mutant in ci/mutants.txt
    python3 ci/mutants.py epoch- kv-      # only mutants whose id starts so
    python3 ci/mutants.py --list          # the list, without running

Each mutant is an exact text replacement in one file (ci/mutants.txt says which,
and why the guard matters). For each: apply it, build the release binary (a mutant
that does not build is not viable), run `locklab check` (exit 1: caught), and if that
passes run the tests that can see the mutated code (a failing test: caught); then put
the file back. The score goes to reports/mutation.md.

To keep a run short, a mutant of one scheme (`## scheme:`, or derived from a path
`models/src/<scheme>/…`) is checked with `locklab check --only <scheme>/` (no other
scheme runs its code), and its tests are the kit crate's (`locklab-models`: the
scheme's unit tests and the store's). A kit mutant (`models/src/sim/…`) runs the
whole check, then the kit crate's tests and the `locklab` crate's `kit` and
`sql_steps` tests. `ladders` is left out: it re-runs the check, and its pinned loom
counts would "catch" any mutant that merely changes the number of executions.

A hand list rather than cargo-mutants: cargo-mutants would generate every operator
swap in the crates (thousands here), each a release build plus a check; on two
cores that is days. The list names the guards a scenario must need, which is what
the ladders are meant to exercise.
"""
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIST = ROOT / "ci" / "mutants.txt"
OUT = ROOT / "reports" / "mutation.md"


def parse(text):
    """Blocks of `## id:`, `## file:`, `## why:` then `<<<` original `===` mutant `>>>`."""
    mutants = []
    for block in re.split(r"\n(?=## id:)", text):
        if not block.startswith("## id:"):
            continue
        head, _, body = block.partition("<<<\n")
        meta = dict(re.findall(r"^## (\w+): (.*)$", head, re.M))
        original, _, rest = body.partition("===\n")
        mutant, _, _ = rest.partition(">>>")
        scheme = meta.get("scheme", "").strip()
        parts = meta["file"].strip().split("/")
        if not scheme and parts[:2] == ["models", "src"] and parts[2] != "sim":
            scheme = parts[2].replace("_", "-")
        mutants.append(
            {
                "scheme": scheme,
                "id": meta["id"].strip(),
                "file": meta["file"].strip(),
                "why": meta.get("why", "").strip(),
                "original": original,
                "mutant": mutant,
            }
        )
    return mutants


def run(cmd, timeout):
    try:
        p = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return None, "timed out"


def judge(m):
    path = ROOT / m["file"]
    source = path.read_text()
    if source.count(m["original"]) != 1:
        return "stale", f"the original text occurs {source.count(m['original'])} times"
    path.write_text(source.replace(m["original"], m["mutant"]))
    try:
        code, out = run(["cargo", "build", "--release", "-q", "-p", "locklab-cli"], 1800)
        if code != 0:
            return "unviable", "does not build"
        check = ["target/release/locklab", "check"]
        if m["scheme"]:
            check += ["--only", m["scheme"] + "/"]
        code, out = run(check, 1800)
        if code == 1:
            unmet = [l.strip() for l in out.splitlines() if " NO " in l or "unmet" in l]
            return "caught", "check: " + (unmet[0] if unmet else "an expectation failed")
        if code != 0:
            return "caught", f"check exited {code}"
        tests = [["cargo", "test", "--release", "-q", "-p", "locklab-models"]]
        if not m["scheme"]:
            tests.append(
                ["cargo", "test", "--release", "-q", "-p", "locklab"]
                + ["--test", "kit", "--test", "sql_steps"]
            )
        for cmd in tests:
            code, out = run(cmd, 3600)
            if code != 0:
                break
        if code != 0:
            failed = re.findall(r"^    (\S+)$", out, re.M)
            return "caught", "cargo test: " + (", ".join(failed[:3]) or "a test failed")
        return "survived", "check and cargo test pass"
    finally:
        path.write_text(source)


def main(args):
    mutants = parse(LIST.read_text())
    if "--list" in args:
        for m in mutants:
            print(f"{m['id']:45} {m['file']}")
        return 0
    chosen = [m for m in mutants if not args or any(m["id"].startswith(a) for a in args)]
    rows = []
    for m in chosen:
        start = time.time()
        verdict, detail = judge(m)
        took = time.time() - start
        print(f"{verdict:9} {m['id']} ({took:.0f} s): {detail}", flush=True)
        rows.append((m, verdict, detail))
    viable = [r for r in rows if r[1] in ("caught", "survived")]
    caught = [r for r in viable if r[1] == "caught"]
    score = f"{len(caught)} of {len(viable)} viable mutants caught" + (
        f" ({100 * len(caught) / len(viable):.0f}%)" if viable else ""
    )
    print(score)
    if len(chosen) == len(mutants):
        write_report(rows, score)
    return 0 if len(caught) == len(viable) else 1


def write_report(rows, score):
    lines = [
        "# Mutation score",
        "",
        "Generated by `python3 ci/mutants.py` (the hand list is `ci/mutants.txt`): each",
        "mutant removes or weakens one guard of a correct rung or one kit operation;",
        "it is caught when `locklab check` or the `locklab` crate's tests fail.",
        "",
        f"**{score}.**",
        "",
        "| mutant | file | what it breaks | result |",
        "|---|---|---|---|",
    ]
    for m, verdict, detail in rows:
        lines.append(f"| `{m['id']}` | `{m['file']}` | {m['why']} | {verdict}: {detail} |")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
