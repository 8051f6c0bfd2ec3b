"""The README's Python example runs as written (from the repository root)."""

import os
import re
import subprocess
import sys

SRC = os.environ.get("BANENSIM_SOURCE_DIR", ".")


def test_the_readme_python_example_runs():
    with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme[readme.index("### From Python"):]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no ```python block under 'From Python'"
    r = subprocess.run([sys.executable, "-c", blocks[0]], cwd=SRC, capture_output=True, text=True, check=False,
                       env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert "status quo" in r.stdout
    assert "supply.max_working_share" in r.stdout
    assert re.search(r"^keep split 2030\.0 0\.\d+ -?\d[\d.]*(e-\d+)?$", r.stdout, re.M), r.stdout  # its change by 2030
    assert re.search(r"^government [01]\.\d+ -?\d", r.stdout, re.M), r.stdout  # the backtest's summary
