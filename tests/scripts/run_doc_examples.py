#!/usr/bin/env python3
"""Runs the examples of README.md and docs/*.md as written, so the pages stay true.

    run_doc_examples.py BANENSIM SOURCE_DIR [--list] [--page FILE]

Every line of a ```sh block that calls the program (`$B ...` after
`B=./build/release/apps/banensim`, `./build/release/apps/banensim ...` at
the end of a set-up chain, or `banensim ...`) runs in page order, with the
program under test in its place, in a fresh directory per page that holds
the repository's scenarios/, data/ and studies/ (so the files the examples
write land there, and later examples such as `--resume` find them).
Each must exit 0, and each file it names with --out, --svg, --report or
--rows must exist and be non-empty afterwards. The Python example (the
```python block) is run by python/tests/test_readme.py (test python_module),
against the module it tests.

Not run, and said so with --list: `serve` (a server that runs until
stopped; tests/apps/check_serve.py covers it), the set-up and build steps,
scripts/test.sh (the whole suite, which runs this), and the benchmarks and
the fuzzing run (minutes each; performance is measured in bench/, not here).
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

README_BINARY = "./build/release/apps/banensim"
OUTPUT_OPTIONS = ("--out", "--svg", "--report", "--rows")


def blocks(text):
    """Fenced blocks of README.md: (language, first line number, lines)."""
    out, lang, start, body = [], None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = re.match(r"^```(\w*)\s*$", line)
        if fence and lang is None:
            lang, start, body = fence.group(1) or "text", number + 1, []
        elif line.startswith("```") and lang is not None:
            out.append((lang, start, body))
            lang = None
        elif lang is not None:
            body.append(line)
    if lang is not None:
        sys.exit(f"README.md:{start}: a fenced block is not closed")
    return out


def why_not_run(line):
    if line.startswith(("cmake ", "./scripts/setup.sh")):
        return "set-up or build"
    if line.startswith("PYTHONPATH="):
        return "starts Python for a ```python block: python/tests/test_readme.py runs the README's"
    if re.search(r"\b(srun|mpirun)\b|banensim-mpi|^--", line):
        return "MPI on a cluster (tests/apps/mpi_cli_test.cpp runs banensim-mpi under mpirun)"
    if "/bench/" in line or line.startswith("bench/"):
        return "a benchmark: minutes, and performance is measured in bench/, not in tests"
    if line.startswith("fuzz/"):
        return "the fuzzing run (scripts/test.sh runs it bounded)"
    if "scripts/test.sh" in line:
        return "the whole suite, which runs this"
    return "set-up or build"


def program_commands(text):
    """(line number, command) for each program call of a page's ```sh blocks,
    with $B for the program and the page's own shell variables set before it;
    and (line number, line, why) for each line not run."""
    commands, skipped = [], []
    program_names = {README_BINARY, "banensim"}
    variables = []  # the page's other assignments (e.g. FIVE="a.toml b.toml"), in order
    for lang, start, body in blocks(text):
        if lang != "sh":
            continue
        for offset, line in enumerate(body):
            number = start + offset
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            assignment = re.match(r"^([A-Z_][A-Z0-9_]*)=(\S.*)$", line)
            if assignment and re.fullmatch(r"(\./)?build/\w+/apps/banensim", assignment.group(2)):
                program_names.add("$" + assignment.group(1))  # B=./build/release/apps/banensim
                continue
            if assignment and not assignment.group(1).startswith("PYTHON"):
                variables.append(line)
                continue
            # A set-up chain ending in a program call: the call is the example.
            last = line.split(" && ")[-1]
            for name in program_names:
                if last.startswith(name + " "):
                    last = "$B" + last[len(name):]
            if last.startswith("$B ") and not last.endswith("\\"):
                if last.split()[1] == "serve":
                    skipped.append((number, line, "a server that runs until stopped (check_serve.py covers it)"))
                else:
                    commands.append((number, "; ".join(variables + [last])))
            else:
                skipped.append((number, line, why_not_run(line)))
    return commands, skipped


def named_outputs(command):
    words = shlex.split(command.split("; ")[-1])
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w in OUTPUT_OPTIONS]


def run_page(binary, source, page, commands):
    """Runs a page's program examples; returns the failures."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="banensim-doc-") as work:
        for name in ("scenarios", "data", "studies"):
            os.symlink(os.path.join(source, name), os.path.join(work, name))
        env = dict(os.environ, B=binary)
        for number, command in commands:
            started = time.monotonic()
            # bash, for the globs of the page (scenarios/*.toml) and its quoting.
            done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True)
            seconds = time.monotonic() - started
            print(f"{page}:{number}: exit {done.returncode} in {seconds:.1f} s: {command.split('; ')[-1]}", flush=True)
            if done.returncode != 0:
                failures.append(f"{page}:{number}: `{command}` exited {done.returncode}:\n{done.stderr[-2000:]}")
                continue
            for path in named_outputs(command):
                full = os.path.join(work, path)
                if not os.path.isfile(full) or os.path.getsize(full) == 0:
                    failures.append(f"{page}:{number}: `{command}` did not write {path}")
    return failures


def main():
    argv = sys.argv[1:]
    pages = []
    while "--page" in argv:  # other pages than README.md and docs/*.md (the script's own tests)
        i = argv.index("--page")
        pages.append(argv[i + 1])
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    binary, source = (os.path.abspath(a) for a in args)
    if not pages:
        docs = os.path.join(source, "docs")
        pages = [os.path.join(source, "README.md")] + sorted(
            os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    found = {}
    for path in pages:
        with open(path, encoding="utf-8") as f:
            found[os.path.relpath(path, source) if path.startswith(source) else path] = program_commands(f.read())
    if "--list" in sys.argv:
        for page, (commands, skipped) in found.items():
            for number, command in commands:
                print(f"run   {page}:{number}: {command.split('; ')[-1]}")
            for number, line, why in skipped:
                print(f"skip  {page}:{number}: {line}  ({why})")
        return 0
    if "README.md" in found and len(found["README.md"][0]) < 20:
        sys.exit(f"README.md: found {len(found['README.md'][0])} program examples; "
                 "the parser no longer sees the page's examples")
    failures = []
    for page, (commands, _) in found.items():
        failures += run_page(binary, source, page, commands)
    n_run = sum(len(c) for c, _ in found.values())
    n_skipped = sum(len(s) for _, s in found.values())
    print(f"{n_run} program examples run on {len(found)} pages; {n_skipped} lines not run "
          "(--list says which and why)")
    if failures:
        print("\n".join(["", "FAILED:"] + failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
