"""Pure statistics over DataFrames of judgments; each module is checked against official numbers.

- ``lc_glm``: AlpacaEval 2.0 raw and length-controlled win rates
- ``bradley_terry``: Arena-Hard outcomes, Bradley-Terry, bootstrap, style control
- ``mt_bench``: MT-Bench single-grade means and pairwise win rates
- ``wildbench``: WB-Score and WB-Reward (length penalty K)
- ``checklist``: TICK pass rates
- ``agreement``: judge diagnostics (position consistency, kappa, length slope, self-preference)
"""
