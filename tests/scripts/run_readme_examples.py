#!/usr/bin/env python3
"""Runs the examples of README.md as written, so that the page stays true.

    run_readme_examples.py BANENSIM SOURCE_DIR [--list] [--readme FILE]

Every shell line of README.md that calls the program (`$B ...` after
`B=./build/release/apps/banensim`, or `./build/release/apps/banensim ...`
at the end of a set-up chain) runs in README order, with the program under
test in place of ./build/release/apps/banensim, in a fresh directory that
holds the repository's scenarios/, data/ and studies/ (so the files the
examples write land there, and later examples such as `--resume` find them).
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


def program_commands(text):
    """(line number, command with $B for the program) for each program call."""
    commands, skipped = [], []
    for lang, start, body in blocks(text):
        if lang != "sh":
            continue
        for offset, line in enumerate(body):
            number = start + offset
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line == f"B={README_BINARY}":
                continue
            # A set-up chain ending in a program call: the call is the example.
            last = line.split(" && ")[-1]
            if last.startswith(README_BINARY + " "):
                last = "$B" + last[len(README_BINARY):]
            if last.startswith("$B "):
                if last.split()[1] == "serve":
                    skipped.append((number, line, "a server that runs until stopped (check_serve.py covers it)"))
                else:
                    commands.append((number, last))
            elif line.startswith("PYTHONPATH="):
                skipped.append((number, line, "starts Python for the ```python block: python/tests/test_readme.py runs it"))
            else:
                skipped.append((number, line, "set-up, build, the whole suite, a benchmark or the fuzzing run"))
    return commands, skipped


def named_outputs(command):
    words = shlex.split(command)
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w in OUTPUT_OPTIONS]


def main():
    argv = sys.argv[1:]
    readme_path = None
    if "--readme" in argv:  # another page than SOURCE_DIR/README.md (the script's own tests)
        i = argv.index("--readme")
        readme_path = argv[i + 1]
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    binary, source = (os.path.abspath(a) for a in args)
    readme_path = readme_path or os.path.join(source, "README.md")
    with open(readme_path, encoding="utf-8") as f:
        text = f.read()
    commands, skipped = program_commands(text)
    if "--list" in sys.argv:
        for number, command in commands:
            print(f"run   README.md:{number}: {command}")
        for number, line, why in skipped:
            print(f"skip  README.md:{number}: {line}  ({why})")
        return 0
    if readme_path == os.path.join(source, "README.md") and len(commands) < 20:
        sys.exit(f"README.md: found {len(commands)} program examples; the parser no longer sees the page's examples")

    failures = []
    with tempfile.TemporaryDirectory(prefix="banensim-readme-") as work:
        for name in ("scenarios", "data", "studies"):
            os.symlink(os.path.join(source, name), os.path.join(work, name))
        env = dict(os.environ, B=binary)
        for number, command in commands:
            started = time.monotonic()
            # bash, for the globs of the page (scenarios/*.toml) and its quoting.
            done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True)
            seconds = time.monotonic() - started
            print(f"README.md:{number}: exit {done.returncode} in {seconds:.1f} s: {command}", flush=True)
            if done.returncode != 0:
                failures.append(f"README.md:{number}: `{command}` exited {done.returncode}:\n{done.stderr[-2000:]}")
                continue
            for path in named_outputs(command):
                full = os.path.join(work, path)
                if not os.path.isfile(full) or os.path.getsize(full) == 0:
                    failures.append(f"README.md:{number}: `{command}` did not write {path}")
    print(f"{len(commands)} program examples run; {len(skipped)} lines not run (--list says which and why)")
    if failures:
        print("\n".join(["", "FAILED:"] + failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
