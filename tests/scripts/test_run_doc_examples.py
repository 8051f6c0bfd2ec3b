"""tests/scripts/run_doc_examples.py: it finds the page's program examples, and a
broken example or a missing output file fails it."""

import os
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_doc_examples as rre  # noqa: E402

SOURCE = os.environ.get("BANENSIM_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))

PAGE = textwrap.dedent("""\
    Text.

    ```sh
    ./scripts/setup.sh && cmake --preset release && ./build/release/apps/banensim run a.toml --report r.html
    ```

    ```sh
    B=./build/release/apps/banensim
    # a comment
    $B sweep s.toml --out "x y.csv" --svg z.svg
    $B serve
    banensim explain s.toml
    ```

    ```python
    print("hello")
    ```
    """)


def test_finds_program_calls_and_set_up_chains():
    commands, skipped = rre.program_commands(PAGE)
    assert [c for _, c in commands] == ["$B run a.toml --report r.html", '$B sweep s.toml --out "x y.csv" --svg z.svg',
                                        "$B explain s.toml"]
    assert [n for n, _ in commands] == [4, 10, 12]
    assert [line for _, line, _ in skipped] == ["$B serve"]
    assert rre.named_outputs(commands[1][1]) == ["x y.csv", "z.svg"]


def test_the_shipped_readme_has_its_examples():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        commands, _ = rre.program_commands(f.read())
    assert len(commands) >= 20


def run_script(tmp_path, page, binary_body):
    readme = tmp_path / "README.md"
    readme.write_text(page)
    binary = tmp_path / "fake-banensim"
    binary.write_text("#!/bin/bash\n" + binary_body + "\n")
    binary.chmod(0o755)
    return subprocess.run([sys.executable, os.path.join(HERE, "run_doc_examples.py"), str(binary), SOURCE,
                           "--page", str(readme)], capture_output=True, text=True)


ONE = "```sh\nB=./build/release/apps/banensim\n$B run s.toml --out o.csv\n```\n"


def test_passes_when_the_example_runs_and_writes_its_file(tmp_path):
    done = run_script(tmp_path, ONE, 'echo x > "$4"')
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("body, message", [("exit 2", "exited 2"), ("true", "did not write o.csv")])
def test_fails_on_a_failing_example_or_a_missing_output(tmp_path, body, message):
    done = run_script(tmp_path, ONE, body)
    assert done.returncode == 1
    assert "README.md:3:" in done.stdout and message in done.stdout
