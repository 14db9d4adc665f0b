"""WildBench v2: the adapter and its statistic (WB-Score; WB-Reward when judged pairwise)."""

from benchmarks.wildbench.adapter import BASELINES, GENERATION, WildBench
from benchmarks.wildbench.reward import is_wb_reward_judge
from harness.run.registry import STATISTICS

BENCHMARK = WildBench
STATISTICS.add("wb_score", "benchmarks.wildbench.statistic:WB_SCORE")

__all__ = ["BASELINES", "BENCHMARK", "GENERATION", "WildBench", "is_wb_reward_judge"]
