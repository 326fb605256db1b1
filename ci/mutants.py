#!/usr/bin/env python3
"""Hand-listed mutation testing: does `locklab check` (then `cargo test`) catch each
mutant of the correct rungs' guards and of the kit's store operations?

    python3 ci/mutants.py                 # every mutant in ci/mutants.txt
    python3 ci/mutants.py epoch- kv-      # only mutants whose id starts so
    python3 ci/mutants.py --list          # the list, without running
    python3 ci/mutants.py --before REV    # also score against REV's scenarios

With `--before REV`, one build per mutant gives two scores: "after" (every scenario
of the tree) and "before" (only the scenarios `REV:reports/check.json` lists, i.e.
the tree before new scenarios were added; the model code is the same, so a check
failure in a scenario REV did not have would not have happened at REV).

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
`sql_steps` tests; a mutant of the SQL or Redis store model also runs the store's
specification against the real servers (`store_spec`, `redis_spec`). `ladders` is left out: it re-runs the check, and its pinned loom
counts would "catch" any mutant that merely changes the number of executions.

A hand list rather than cargo-mutants: cargo-mutants would generate every operator
swap in the crates (thousands here), each a release build plus a check; on two
cores that is days. The list names the guards a scenario must need, which is what
the ladders are meant to exercise.
"""
import json
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
                # Argued, in a comment beside the guard, to change nothing at any
                # size the model has: still run, to test the argument.
                "equivalent": meta.get("equivalent", "").strip(),
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


def failing(out):
    """The scenarios whose expectation failed, from `check --json`."""
    try:
        return {r["scenario"] for r in json.loads(out)["results"] if not r["met"]}
    except (ValueError, KeyError):
        return None


def judge(m, before=None):
    """(verdict, detail, verdict at `before`): `before` is a set of scenario ids."""
    path = ROOT / m["file"]
    source = path.read_text()
    if source.count(m["original"]) != 1:
        n = source.count(m["original"])
        return "stale", f"the original text occurs {n} times", "stale"
    path.write_text(source.replace(m["original"], m["mutant"]))
    try:
        code, out = run(["cargo", "build", "--release", "-q", "-p", "locklab-cli"], 1800)
        if code != 0:
            return "unviable", "does not build", "unviable"
        check = ["target/release/locklab", "check", "--json"]
        if m["scheme"]:
            check += ["--only", m["scheme"] + "/"]
        code, out = run(check, 1800)
        if code not in (0, 1):
            return "caught", f"check exited {code}", "caught"
        unmet = failing(out) if code == 1 else set()
        if unmet is None:
            return "caught", "check: an expectation failed", "caught"
        then = None
        if before is not None:
            then = "caught" if unmet & before else None
        if unmet:
            names = ", ".join(sorted(unmet))
            if before is not None and then is None:
                # Only a new scenario caught it: would the tests have, before?
                then = "caught" if run_tests(m)[0] else "survived"
            return "caught", f"check: {names}", then
        failed, detail = run_tests(m)
        if failed:
            return "caught", detail, "caught"
        return "survived", "check and cargo test pass", "survived"
    finally:
        path.write_text(source)


def run_tests(m):
    """(whether a test failed, what failed) for the tests that can see `m`."""
    tests = [["cargo", "test", "--release", "-q", "-p", "locklab-models"]]
    if not m["scheme"]:
        tests.append(
            ["cargo", "test", "--release", "-q", "-p", "locklab"]
            + ["--test", "kit", "--test", "sql_steps"]
        )
    if m["file"].startswith(("models/src/sim/store/sql/", "models/src/sim/store/redis.rs")):
        # The store's specification: each rule run on the model and on the real
        # PostgreSQL or Redis (they must be up, as in CI).
        tests.append(
            ["cargo", "test", "--release", "-q", "-p", "locklab-servers"]
            + ["--test", "store_spec", "--test", "redis_spec"]
        )
    for cmd in tests:
        code, out = run(cmd, 3600)
        if code != 0:
            break
    if code != 0:
        failed = re.findall(r"^    (\S+)$", out, re.M)
        return True, "cargo test: " + (", ".join(failed[:3]) or "a test failed")
    return False, ""


def main(args):
    mutants = parse(LIST.read_text())
    before = None
    if "--before" in args:
        i = args.index("--before")
        rev = args[i + 1]
        args = args[:i] + args[i + 2 :]
        old = subprocess.run(
            ["git", "show", f"{rev}:reports/check.json"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
        before = {r["scenario"] for r in json.loads(old)["results"]}
    if "--list" in args:
        for m in mutants:
            print(f"{m['id']:45} {m['file']}")
        return 0
    if "--from-log" in args:
        # Rebuild the report from the lines a run printed (a run on another checkout,
        # or one cut short).
        log = pathlib.Path(args[args.index("--from-log") + 1]).read_text()
        rows = from_log(log, mutants)
        write_report(rows, len(mutants))
        return 0
    chosen = [m for m in mutants if not args or any(m["id"].startswith(a) for a in args)]
    rows = []
    for m in chosen:
        start = time.time()
        verdict, detail, then = judge(m, before)
        took = time.time() - start
        was = f" (before: {then})" if before is not None else ""
        print(f"{verdict:9} {m['id']} ({took:.0f} s): {detail}{was}", flush=True)
        rows.append((m, verdict, detail, then))
        if len(chosen) == len(mutants):
            # After every mutant, so a run cut short still leaves an honest page.
            write_report(rows, len(mutants))
    print(tally(rows))
    return 0 if "survived" not in [r[1] for r in rows] else 1


LOG_LINE = re.compile(r"^(\w+)\s+(\S+) \(\d+ s\): (.*?)(?: \(before: (\w+)\))?$")


def from_log(log, mutants):
    by_id = {m["id"]: m for m in mutants}
    rows = []
    for line in log.splitlines():
        hit = LOG_LINE.match(line)
        if hit and hit.group(2) in by_id:
            verdict, mid, detail, then = hit.groups()
            rows.append((by_id[mid], verdict, detail, then))
    return rows


def tally(rows, before=False):
    """The score line: caught of viable, and of the viable not argued equivalent."""
    verdicts = [(r[3] if before else r[1], r[0]["equivalent"]) for r in rows]
    viable = [(v, eq) for v, eq in verdicts if v in ("caught", "survived")]
    caught = sum(v == "caught" for v, _ in viable)
    line = f"{caught} of {len(viable)} viable mutants caught"
    if viable:
        line += f" ({100 * caught / len(viable):.0f}%)"
    argued = sum(v == "survived" and eq != "" for v, eq in viable)
    if argued and not before:
        rest = len(viable) - argued
        line += (
            f"; {argued} of the survivors are argued equivalent beside their guard, "
            f"so {caught} of {rest} non-equivalent mutants ({100 * caught / rest:.0f}%)"
        )
    return line


def write_report(rows, total):
    score = tally(rows)
    has_before = any(r[3] for r in rows)
    lines = [
        "# Mutation score",
        "",
        "Generated by `python3 ci/mutants.py` (the hand list is `ci/mutants.txt`): each",
        "mutant removes or weakens one guard of a correct rung or one kit operation;",
        "it is caught when `locklab check` or the tests that can see it fail.",
        "",
    ]
    if len(rows) < total:
        lines += [f"**Partial run: {len(rows)} of the {total} mutants scored so far.**", ""]
    lines += [f"**{score}.**", ""]
    if has_before:
        lines += [
            f"Before the scenarios added for them (the scenarios of a7aa8ff, same model code): "
            f"{tally(rows, before=True)}.",
            "",
        ]
    lines += [
        "| mutant | file | what it breaks | result |",
        "|---|---|---|---|",
    ]
    for m, verdict, detail, then in rows:
        was = f" (before: {then})" if then else ""
        eq = f" — argued equivalent: {m['equivalent']}" if m["equivalent"] else ""
        lines.append(
            f"| `{m['id']}` | `{m['file']}` | {m['why']} | {verdict}: {detail}{was}{eq} |"
        )
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        # `--list | head`: the reader has gone; end quietly.
        sys.exit(141)
