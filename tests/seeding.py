"""The benchmark seed (``benchmarks/seed.py``), loaded for tests that need a large group fast."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SEED = Path(__file__).resolve().parents[1] / "benchmarks" / "seed.py"


def load_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wgtool_benchmark_seed", SEED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def seed(path: Path, amendments: int, rng_seed: int = 7) -> Path:
    """A working group at ``path`` with ``amendments`` open amendments, positions and comments."""
    result: Path = load_seed().seed(path, amendments, rng_seed=rng_seed)
    return result
