"""Host arithmetic every layer may use, with no Taichi and no import from the rest of viz.

Public face:
- dd: DD_PAIRS, as_samples, dd_pairs, dd_to_decimal, from_dd, precision_of, sample_dtype, to_dd, to_dd_array
  (double-double pairs to and from exact numbers; the dtype of a problem's samples)
- fixed: DD_DIGITS, FRAC_BITS, OLD_FRAC_BITS, decimal_to_fixed, exact_to_fixed, exp10, exp10_dd, exp10_decimal,
  fixed_to_decimal, from_fixed, from_old_fixed, to_fixed (fixed-point log10 coordinates)
- exact: binary_decimal, float_decimal, text_value (exact decimals beside float64)
"""
