"""The flag-shape rules shared by several commands, each with its one message."""
import argparse

import pytest

from viz.cli.args import check_positive, positive_int
from viz.errors import UsageError


def test_check_positive_names_the_flags_it_was_given():
    check_positive(fps=30.0, seconds_per_2x=1.5)
    with pytest.raises(UsageError, match="^--fps and --seconds-per-2x must be positive$"):
        check_positive(fps=30.0, seconds_per_2x=0.0)
    with pytest.raises(UsageError, match="^--seconds-per-2x must be positive$"):
        check_positive(seconds_per_2x=float("nan"))


@pytest.mark.parametrize("text", ["0", "-2", "1.5", "x"])
def test_positive_int_refuses_anything_but_a_whole_number_of_at_least_1(text):
    with pytest.raises(argparse.ArgumentTypeError, match="at least 1"):
        positive_int(text)
    assert positive_int("3") == 3
