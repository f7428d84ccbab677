"""The limits every input is checked against: one UsageError line, never another exception."""
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz import limits
from viz.errors import UsageError
from viz.sampling.region import Region


@pytest.mark.parametrize("window,needle", [
    ((400, 401, 0, 1), "normal range"),
    ((-400, -399, 0, 1), "normal range"),
    ((0, math.inf, 0, 1), "finite"),
    ((0.001, 1e6, 0.001, 1e6), "learning rate where its log10 belongs"),
    ((1, 0, 0, 1), "X0 < X1"),
])
def test_windows_outside_float64_or_misordered_are_refused(window, needle):
    with pytest.raises(UsageError, match=needle):
        Region(*window)


def test_a_request_larger_than_memory_names_the_figure():
    with pytest.raises(UsageError, match=r"needs 74\.5 GiB of memory"):
        limits.memory("--res 100000", 1e10 * 8)


@pytest.mark.parametrize("text,needle", [
    ("[" * 100_000 + "]" * 100_000, "nests its JSON"),
    ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
    ("x" * (limits.MAX_TEXT_BYTES + 1), "bytes of text"),
    ("{", "not valid JSON"),
])
def test_hostile_json_is_one_line(text, needle):
    with pytest.raises(UsageError, match=needle):
        limits.json_text(text, "the PNG text")


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"name": "[" * 1000 + '\\"{' * 100})
    assert limits.json_text(text, "t") == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                                            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                                            max_leaves=50).map(json.dumps))
def test_any_text_parses_or_is_a_usage_error(text):
    try:
        limits.json_text(text, "t")
    except UsageError as exc:
        assert "\n" not in str(exc)


def test_npy_headers_are_checked_before_loading(tmp_path):
    empty = tmp_path / "empty.npy"
    np.save(empty, np.zeros((0, 4)))
    with pytest.raises(UsageError, match="empty"):
        limits.npy_header(empty)
    huge = tmp_path / "huge.npy"
    with open(huge, "wb") as fh:  # a header claiming 1e6 x 1e6 float64 over a few bytes of data
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
        fh.write(b"\0" * 64)
    with pytest.raises(UsageError, match="more than the file holds"):
        limits.npy_header(huge)
    garbage = tmp_path / "garbage.npy"
    garbage.write_bytes(b"not an array at all")
    with pytest.raises(UsageError, match="not a readable .npy"):
        limits.npy_header(garbage)
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(UsageError, match="Python objects"):
        limits.npy_header(objects)
    good = tmp_path / "good.npy"
    np.save(good, np.ones((3, 5)))
    assert limits.npy_header(good) == ((3, 5), np.dtype("<f8"))


def test_counts_and_numbers_name_their_flag():
    with pytest.raises(UsageError, match="--steps must be from 1 to 1,000,000, got 1,000,000,000,000,000"):
        limits.count("--steps", 10**15, 1, limits.MAX_STEPS)
    with pytest.raises(UsageError, match="--fps must be a finite number"):
        limits.positive("--fps", math.inf)
    with pytest.raises(UsageError, match="--seconds must be positive"):
        limits.positive("--seconds", -1)
