"""Every benchmark's default judge names a judge config that exists (one registry each, names agree)."""

import judges
from benchmarks import BENCHMARKS, get_benchmark


def test_default_judges_exist():
    names = set(judges.judge_names())
    for name in BENCHMARKS:
        spec = get_benchmark(name).spec
        for version in spec.versions:
            assert version.default_judge in names, (name, version.name, version.default_judge)
