"""Which judge configs make WB-Reward: those answering with WildBench's pairwise choices (``A++`` .. ``B++``)."""

from __future__ import annotations

from judges.config import judge_configs

WB_REWARD_PARSER = "wildbench_pairwise_json"  # WildBench's A++..B++ verdicts: what WB-Reward is computed from


def is_wb_reward_judge(judge_config: str) -> bool:
    """Whether a judge config answers with WildBench's pairwise choices, the input of WB-Reward; an
    unknown config name (a run made by another version) is not one."""
    if judge_config not in judge_configs():
        return False
    return judge_configs().get(judge_config).get("parser") == WB_REWARD_PARSER
