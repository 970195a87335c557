"""The dashboard's benchmarks: ``python bench/run.py`` (see bench/README.md for the layout)."""

from pathlib import Path

#: The repository, and this folder.
ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
