"""chrF: the surface-change measure (values checked by hand and against sacrebleu's definition)."""

from __future__ import annotations

import pytest

from harness.clean_eval.chrf import chrf


def test_identical_text_scores_one_and_whitespace_is_ignored() -> None:
    assert chrf("Write a poem.", "Write a poem.") == 1.0
    assert chrf("Write  a\npoem.", "Write a poem.") == 1.0


def test_unrelated_text_scores_near_zero_and_empty_is_defined() -> None:
    assert chrf("xyz xyz", "abc abc") == 0.0
    assert chrf("", "") == 1.0
    assert chrf("", "abc") == 0.0


def test_hand_computed_value() -> None:
    # "ab" vs "abc": order 1 P=1 R=2/3, order 2 P=1 R=1/2; orders 3..6 absent in "ab".
    f1 = 5 * 1 * (2 / 3) / (4 * 1 + 2 / 3)
    f2 = 5 * 1 * (1 / 2) / (4 * 1 + 1 / 2)
    assert chrf("ab", "abc") == pytest.approx((f1 + f2) / 2)


def test_a_light_edit_scores_higher_than_a_rewrite() -> None:
    original = "Write a short poem about the sea."
    light = "Write a short poem about the ocean."
    rewrite = "Compose brief verses describing the ocean."
    assert chrf(light, original) > 0.6 > chrf(rewrite, original)
