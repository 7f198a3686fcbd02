"""The `${…}` expression language of block parameters: values, precedence, errors, limits.

Every expected value is worked out by hand in the comment beside it; `divisible` is also
checked against torchvision's own `_make_divisible`, and precedence against Python's.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from fractions import Fraction

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from cnncalc.spec.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
    as_bool,
    as_int,
    evaluate,
    parse,
)

E18 = 10**18
NAMES = {"in.c": 24, "in.h": 56, "stride": 1, "first": True, "last": False, "mode": "same",
         "width": 3, "half": Fraction(1, 2)}  # fmt: skip


def value(text: str, **names):
    return evaluate(text, {**NAMES, **names})


def refused(text: str, names=None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, NAMES if names is None else names)
    return caught.value


# --- Values ----------------------------------------------------------------------------------


def test_the_brief_examples():
    """The three forms a spec writes: a channel count, a stride, a padding."""
    assert value("divisible(in.c * 6, 8)") == 144  # 144 + 4 = 148, // 8 = 18, × 8 = 144
    assert value("1 if first else 2") == 1
    assert value("'same' if stride == 1 else 'valid'") == "same"
    assert value("'same' if stride == 1 else 'valid'", stride=2) == "valid"


def test_literals_and_names():
    assert value("0") == 0
    assert value("1000000000000000000") == E18  # 19 digits: exactly the limit
    assert value("true") is True and value("false") is False
    assert value("'it'") == "it" and value('"it\'s"') == "it's"  # the other quote is a character
    assert value("'a\\n'") == "a\\n"  # no escapes: a backslash is itself
    assert value("''") == ""
    assert value("in.c") == 24 and value("in.h") == 56  # a dotted name is one name
    assert value("  in.c\t*\n2 ") == 48  # whitespace anywhere between tokens


def test_names_are_every_name_read():
    """Even one that a short-circuit leaves unread; a function's name is not a name."""
    assert parse("divisible(in.c * 6, 8)").names() == frozenset({"in.c"})
    assert parse("first or in.h > stride").names() == frozenset({"first", "in.h", "stride"})
    assert parse("'in.c' == mode").names() == frozenset({"mode"})
    assert parse("3").names() == frozenset()
    expression = parse("in.c // 2")
    assert isinstance(expression, Expression) and expression.text == "in.c // 2"
    assert expression.evaluate({"in.c": 7}) == 3 and expression.evaluate({"in.c": 9}) == 4


# --- Precedence and associativity, as Python's -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),  # * before +
        ("(1 + 2) * 3", 9),
        ("2 - 3 - 4", -5),  # left to right: (2 - 3) - 4
        ("2 - (3 - 4)", 3),
        ("24 // 4 // 2", 3),  # (24 // 4) // 2 = 6 // 2
        ("24 // (4 // 2)", 12),
        ("7 - 2 * 3 % 4", 5),  # 2 * 3 = 6, 6 % 4 = 2, 7 - 2 = 5
        ("-2 * 3", -6),
        ("- -2", 2),
        ("-in.c + 1", -23),
        ("+in.c", 24),
        ("not first and true", False),  # (not first) and true
        ("not last and true", True),
        ("not (last and true)", True),
        ("true or false and false", True),  # true or (false and false)
        ("(true or false) and false", False),
        ("not 1 == 2", True),  # not (1 == 2): comparisons bind tighter than not
        ("1 + 2 if last else 3", 3),  # the conditional is loosest: (1 + 2) if last else 3
        ("1 if last else 2 if last else 3", 3),  # right-associative: 1 if last else (2 if …)
        ("1 if first else 2 if last else 3", 1),
        ("1 if last else 2 if first else 3", 2),
        ("(1 if last else 2) * 10", 20),
        ("first or last if last else 5", 5),  # (first or last) if last else 5
        ("1 < 2 == 2", True),  # chained, as Python: 1 < 2 and 2 == 2
    ],
)
def test_precedence_is_pythons(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),  # 1 < 3 and 3 < 2
        ("3 > 2 > 2", False),
        ("3 > 2 >= 2", True),
        ("1 == 1 == 1", True),
        ("1 < 2 > 1", True),  # 1 < 2 and 2 > 1: no transitivity implied
        ("1 != 2 != 1", True),  # 1 != 2 and 2 != 1, as in Python
        ("2 > 1 > 1/0", "division by zero"),  # 2 > 1 holds, so 1 > 1/0 is worked out
        ("1 > 2 > 1/0", False),  # 1 > 2 fails: Python reads no further, nor does cnncalc
        ("1 <= in.c <= 2048", True),
    ],
)
def test_chained_comparisons(text, expected):
    if expected == "division by zero":
        assert refused(text).message.startswith("division by zero with '/'")
    else:
        assert value(text) is expected


def test_and_or_and_if_short_circuit():
    """The side that is not needed is not worked out: no error from it, no name read."""
    assert value("false and 1/0") is False
    assert value("true or 1/0 == 1") is True
    assert value("last and nowhere") is False  # an unknown name, never read
    assert value("first or 3") is True  # not even its type is checked
    assert value("1 if true else 1/0") == 1
    assert value("1/0 if false else 2") == 2
    assert value("true and true and last and 1/0") is False
    assert value("last or last or first or 1/0") is True
    assert value("true and true") is True and value("last or last") is False


# --- Numbers: exact ---------------------------------------------------------------------------


def test_division_is_exact():
    assert value("7/2 == 7/2") is True
    assert value("7/2") == Fraction(7, 2)
    assert value("6/3") == Fraction(2) and type(value("6/3")) is Fraction  # / gives a Fraction
    assert value("1/3 + 1/6 == 1/2") is True  # exactly; in floats 1/3 + 1/6 is 0.5 too, by luck
    assert value("1/10 + 2/10 == 3/10") is True  # in floats, 0.1 + 0.2 != 0.3
    assert value("7/2 * 2") == 7 and type(value("7/2 * 2")) is Fraction
    assert value("half * in.c") == 12
    assert type(value("2 * 3 + 4 - 5")) is int  # integers stay integers
    assert value("in.c * 3/4") == 18  # (24 × 3) / 4
    assert value("in.c * (3/4)") == 18


def test_floor_division_and_modulo_as_python():
    """Floor, not truncation: -7 // 2 is -4 and -7 % 2 is 1, as Python's."""
    assert value("-7 // 2") == -4 and value("-7 % 2") == 1  # -7 = 2 × -4 + 1
    assert value("7 // -2") == -4 and value("7 % -2") == -1  # 7 = -2 × -4 - 1
    assert value("-7 // -2") == 3 and value("-7 % -2") == -1  # -7 = -2 × 3 - 1
    assert value("7/2 // 1") == 3 and type(value("7/2 // 1")) is int
    assert value("-7/2 // 1") == -4  # floor(-3.5)
    assert value("7/2 % 1") == Fraction(1, 2)
    assert value("-7/2 % 2") == Fraction(1, 2)  # -3.5 = 2 × -2 + 0.5
    assert value("7 // (1/2)") == 14  # 7 ÷ 0.5


def test_floor_ceil_round():
    assert value("floor(7/2)") == 3 and value("ceil(7/2)") == 4
    assert value("floor(-7/2)") == -4 and value("ceil(-7/2)") == -3  # toward −∞ and +∞
    assert value("ceil(-1/3)") == 0 and value("floor(-1/3)") == -1
    assert value("floor(5)") == 5 and value("ceil(-5)") == -5
    assert value("round(5/2)") == 2 and value("round(7/2)") == 4  # half to even
    assert value("round(-5/2)") == -2 and value("round(-7/2)") == -4
    assert value("round(1/3)") == 0 and value("round(2/3)") == 1 and value("round(9)") == 9
    for text in ("floor(7/2)", "ceil(7/2)", "round(7/2)", "floor(7)"):
        assert type(value(text)) is int


def test_min_and_max():
    assert value("min(3, 1/2, 2)") == Fraction(1, 2)
    assert value("max(-1, -2)") == -1
    assert value("max(4)") == 4 and value("min(in.c)") == 24
    assert value("max(in.c // 2, 16)") == 16
    assert value("min(1, 2, 3, 4, 5, 0)") == 0


def test_strings_compare_with_equality_only():
    assert value("mode == 'same'") is True
    assert value('mode != "same"') is False
    assert value("'a' == 'A'") is False
    assert value("first == true") is True and value("first != last") is True
    assert value("'valid' if mode == 'same' else 'same'") == "valid"


# --- divisible: torchvision's and Keras's _make_divisible -------------------------------------


def _make_divisible(v, divisor, min_value=None):
    """Copied from torchvision/models/_utils.py (and Keras's MobileNetV2), in floats."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    # Make sure that round down does not go down by more than 10%.
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        # MobileNetV2, width 1.0: the stem. 32 + 4 = 36, // 8 = 4, × 8 = 32.
        ("divisible(32 * 1, 8)", (32 * 1.0, 8), 32),
        # MobileNetV2, width 0.75: the stem. 24 + 4 = 28, // 8 = 3, × 8 = 24; 24 ≥ 21.6.
        ("divisible(32 * 3/4, 8)", (32 * 0.75, 8), 24),
        # …and its first block. 12 + 4 = 16, // 8 = 2, × 8 = 16; 16 ≥ 10.8.
        ("divisible(16 * 3/4, 8)", (16 * 0.75, 8), 16),
        # MobileNetV2, width 0.35: 33.6 + 4 = 37.6, floor 37, // 8 = 4, × 8 = 32; 32 ≥ 30.24.
        ("divisible(96 * 35/100, 8)", (96 * 0.35, 8), 32),
        # …and 24 × 0.35 = 8.4: 12.4, floor 12, // 8 = 1, × 8 = 8; 8 ≥ 7.56.
        ("divisible(24 * 35/100, 8)", (24 * 0.35, 8), 8),
        # MobileNetV3-Large's first SE: 72 // 4 = 18; 22 // 8 = 2, × 8 = 16 < 16.2, so 24.
        ("divisible(72 // 4, 8)", (72 // 4, 8), 24),
        # …and the next: 120 // 4 = 30; 34 // 8 = 4, × 8 = 32 ≥ 27.
        ("divisible(120 // 4, 8)", (120 // 4, 8), 32),
        # EfficientNet-B2's width 1.1: 123.2 + 4 = 127.2, floor 127, // 8 = 15, × 8 = 120.
        ("divisible(112 * 11/10, 8)", (112 * 1.1, 8), 120),
        # Never below the divisor: 3 + 4 = 7, // 8 = 0, so 8.
        ("divisible(3, 8)", (3, 8), 8),
        # Down by more than 10% is bumped up: 20 + 8 = 28, // 16 = 1, × 16 = 16 < 18, so 32.
        ("divisible(20, 16)", (20, 16), 32),
        ("divisible(in.c, 16/2)", (24, 8), 24),  # a whole Fraction is a whole divisor
    ],
)
def test_divisible_published_cases(text, reference, expected):
    assert _make_divisible(*reference) == expected
    assert value(text) == expected and type(value(text)) is int


# In floats, 0.9 * v is not exactly 9/10 of v, so `new < 0.9 * v` can differ from cnncalc's
# exact test only when new is 9/10 of v exactly (10 × new == 9 × v); otherwise the two are
# at least 1/40 apart (v is a multiple of 1/4) and a float's error is far smaller. Those
# cases are left out. int(v + d/2) is exact: v and d/2 are multiples of 1/4 below 2^53.
def _differs_only_by_rounding(v: Fraction, d: int) -> bool:
    rounded = max(d, math.floor(v + Fraction(d, 2)) // d * d)
    return 10 * rounded == 9 * v


@given(st.integers(1, 5000), st.integers(1, 64))
def test_divisible_is_torchvisions_on_whole_numbers(v, d):
    assume(not _differs_only_by_rounding(Fraction(v), d))
    assert value(f"divisible({v}, {d})") == _make_divisible(v, d)


@given(st.integers(1, 2048), st.integers(1, 8), st.sampled_from([1, 2, 4, 8, 16, 32]))
def test_divisible_is_torchvisions_on_width_multipliers(channels, quarters, d):
    """channels × 0.25, 0.5, … 2.0: multipliers that floats hold exactly."""
    assume(not _differs_only_by_rounding(Fraction(channels * quarters, 4), d))
    expected = _make_divisible(channels * (quarters / 4), d)
    assert value(f"divisible({channels} * {quarters} / 4, {d})") == expected


# --- as_int and as_bool ------------------------------------------------------------------------


def test_as_int_and_as_bool():
    assert as_int(value("6/3"), "filters") == 2 and type(as_int(value("6/3"), "filters")) is int
    assert as_int(value("in.c * 6"), "filters") == 144
    assert as_bool(value("stride == 1"), "if:") is True
    for raw, shown in ((value("7/2"), "7/2"), (True, "true"), ("same", "'same'"),
                       (value("-1/3"), "-1/3")):  # fmt: skip
        with pytest.raises(ExpressionError) as caught:
            as_int(raw, "filters")
        assert caught.value.message == (
            f"filters must be a whole number, but the expression gives {shown}"
        )
    with pytest.raises(ExpressionError) as caught:
        as_bool(3, "if:")
    assert caught.value.message == "if: must be true or false, but the expression gives 3"
    with pytest.raises(ExpressionError) as caught:
        as_bool("true", "if:")
    assert caught.value.message == "if: must be true or false, but the expression gives 'true'"


# --- Every error: the exact sentence and the offset of the token at fault --------------------

VALUE = "; a number, a name, a string or '(' should come here"
NOT_BOOL = "; a comparison (n > 0) gives one"
KNOWN = "first, half, in.c, in.h, last, mode, stride, width"


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("in.c * )", "unexpected ')' at character 8 of 'in.c * )'" + VALUE, 7),
        ("in.c *", "unexpected end at character 7 of 'in.c *'" + VALUE, 6),
        ("", "unexpected end at character 1 of ''" + VALUE, 0),
        ("()", "unexpected ')' at character 2 of '()'" + VALUE, 1),
        ("and", "unexpected 'and' at character 1 of 'and'" + VALUE, 0),
        ("min(1,)", "unexpected ')' at character 7 of 'min(1,)'" + VALUE, 6),
        ("1 2", "unexpected '2' at character 3 of '1 2'; an operator or the end should come here", 2),
        ("in.c 'x'", "unexpected string 'x' at character 6 of \"in.c 'x'\"; an operator or the end "
                     "should come here", 5),
        ("(in.c + 2", "expected ')' to close '(' at character 1, but found the end at character 10 "
                      "of '(in.c + 2'", 9),
        ("min(1 2)", "expected ')' to close 'min(' at character 1, but found '2' at character 7 of "
                     "'min(1 2)'", 6),
        ("1 if first", "expected 'else' to finish the 'if' at character 3, but found the end at "
                       "character 11 of '1 if first'", 10),
        ("1 if first 2", "expected 'else' to finish the 'if' at character 3, but found '2' at "
                         "character 12 of '1 if first 2'", 11),
        ("1 + not first", "unexpected 'not' at character 5 of '1 + not first'; put 'not …' in "
                          "parentheses here", 4),
        ("widht * 2", f"unknown name 'widht' at character 1 of 'widht * 2'; the names known here are "
                      f"{KNOWN}; did you mean 'width'?", 0),
        ("True", f"unknown name 'True' at character 1 of 'True'; the names known here are {KNOWN}; "
                 "did you mean 'true'?", 0),
        ("zzz", f"unknown name 'zzz' at character 1 of 'zzz'; the names known here are {KNOWN}", 0),
        ("rond(7/2)", "unknown function 'rond' at character 1 of 'rond(7/2)'; the functions are "
                      "ceil, divisible, floor, max, min and round; did you mean 'round'?", 0),
        ("stride(2)", "unknown function 'stride' at character 1 of 'stride(2)'; the functions are "
                      "ceil, divisible, floor, max, min and round", 0),
        ("min()", "min() at character 1 of 'min()' takes one or more arguments, but got 0", 0),
        ("divisible(8)", "divisible() at character 1 of 'divisible(8)' takes 2 arguments, but got 1",
         0),
        ("2 * round(1, 2)", "round() at character 5 of '2 * round(1, 2)' takes 1 argument, but got "
                            "2", 4),
        ("floor('a')", "floor() at character 1 of \"floor('a')\" takes numbers, but got 'a'", 0),
        ("divisible(in.c, 0)", "divisible() at character 1 of 'divisible(in.c, 0)' takes a whole "
                               "divisor above 0, but got 0", 0),
        ("divisible(in.c, 3/2)", "divisible() at character 1 of 'divisible(in.c, 3/2)' takes a "
                                 "whole divisor above 0, but got 3/2", 0),
        ("first and 3", "'and' at character 7 of 'first and 3' needs true or false, but got 3"
                        + NOT_BOOL, 6),
        ("3 or first", "'or' at character 3 of '3 or first' needs true or false, but got 3"
                       + NOT_BOOL, 2),
        ("first and first and in.c", "'and' at character 17 of 'first and first and in.c' needs "
                                     "true or false, but got 24" + NOT_BOOL, 16),
        ("not mode", "'not' at character 1 of 'not mode' needs true or false, but got 'same'"
                     + NOT_BOOL, 0),
        ("1 if stride else 2", "'if' at character 3 of '1 if stride else 2' needs true or false, "
                               "but got 1" + NOT_BOOL, 2),
        ("true + 1", "'+' at character 6 of 'true + 1' takes numbers, but got true", 5),
        ("in.c * mode", "'*' at character 6 of 'in.c * mode' takes numbers, but got 'same'", 5),
        ("-mode", "'-' at character 1 of '-mode' takes numbers, but got 'same'", 0),
        ("'same' < 'valid'", "'<' at character 8 of \"'same' < 'valid'\" compares numbers (== and "
                             "!= also strings), but got 'same' and 'valid'", 7),
        ("first > last", "'>' at character 7 of 'first > last' compares numbers (== and != also "
                         "true and false), but got true and false", 6),
        ("stride == 'same'", "'==' at character 8 of \"stride == 'same'\" compares two numbers, two "
                             "strings or two of true and false, but got 1 and 'same'", 7),
        ("in.c / (stride - 1)", "division by zero with '/' at character 6 of 'in.c / (stride - 1)'; "
                                "divide by another number", 5),
        ("in.c // 0", "division by zero with '//' at character 6 of 'in.c // 0'; divide by another "
                      "number", 5),
        ("in.c % (1/2 - half)", "division by zero with '%' at character 6 of 'in.c % (1/2 - half)'; "
                                "divide by another number", 5),
        ("-2 ** 2", "unexpected '**' at character 4 of '-2 ** 2'; there is no power operator: write "
                    "the product out", 3),
        ("stride = 1", "unexpected '=' at character 8 of 'stride = 1'; compare with '=='", 7),
        ("first && last", "unexpected '&&' at character 7 of 'first && last'; write 'and'", 6),
        ("!first", "unexpected '!' at character 1 of '!first'; write 'not', or '!=' to compare", 0),
        ("in.", "unexpected '.' at character 3 of 'in.'; a dot joins the parts of a name, as in "
                "in.c; there are no decimals", 2),
        ("a @ b", "unexpected '@' at character 3 of 'a @ b'; expressions hold numbers, names, "
                  "strings, parentheses and Python's operators", 2),
        ("in.c × 2", "unexpected '×' at character 6 of 'in.c × 2'; expressions hold numbers, names, "
                     "strings, parentheses and Python's operators", 5),
        ("32 * 0.75", "'0.75' at character 6 of '32 * 0.75' is not a whole number in decimal; write "
                      "a fraction, such as 3/4", 5),
        ("1_000", "'1_000' at character 1 of '1_000' is not a whole number in decimal; write digits "
                  "alone", 0),
        ("0x10", "'0x10' at character 1 of '0x10' is not a whole number in decimal; write digits "
                 "alone", 0),
        ("08", "the number at character 1 of '08' has a leading zero; write it without, as 8", 0),
        ("1 + 000", "the number at character 5 of '1 + 000' has a leading zero; write it without, "
                    "as 0", 4),
        ("١٢", "unexpected '١' at character 1 of '١٢'; expressions hold numbers, names, strings, "
               "parentheses and Python's operators", 0),  # digits, but not ASCII ones
        ("'same", "the string at character 1 of \"'same\" has no closing '", 0),
        ("mode == \"same", "the string at character 9 of 'mode == \"same' has no closing \"", 8),
        ("'" + "x" * 101 + "'", "the string at character 1 of \"'" + "x" * 59 + "…\" is longer "
                                "than the 100 characters allowed; shorten it", 0),
        ("9999999999999999999", "the number at character 1 of '9999999999999999999' passes 10^18; "
                                "no real network is this large, so a smaller one would fix it", 0),
        ("1000000000000000000 + 1", "the expression's value passes 10^18 with '+' at character 21 "
                                    "of '1000000000000000000 + 1'; no real network is this large: "
                                    "use smaller numbers", 20),
    ],
)  # fmt: skip
def test_errors(text, message, offset):
    """Each names the token at fault and its place (1-based), and says what would fix it."""
    error = refused(text)
    assert (error.message, error.offset) == (message, offset)
    assert str(error) == message


def test_unknown_name_with_no_names():
    error = refused("zzz", {})
    assert error.message == "unknown name 'zzz' at character 1 of 'zzz'; no names are known"


def test_a_long_expression_is_shown_around_the_place():
    """Sixty characters around the token at fault, cut with …, not all 400."""
    text = "1 + " * 100 + ")"
    error = refused(text)
    # 401 characters; the ')' is at offset 400, so characters 370 to 400 are shown: 370 is
    # 2 past a multiple of 4, in "1 + ", so the window starts at "+ 1 ".
    shown = "…+ " + "1 + " * 7 + ")"
    assert len(shown) == 1 + 31 and text[370:] == shown[1:]
    assert error.message == f"unexpected ')' at character 401 of '{shown}'" + VALUE
    error = refused("in.c" + " + in.c" * 20 + " + widht" + " + in.c" * 20)
    assert error.offset == 4 + 7 * 20 + 3
    # From offset 117, "+ in.c" four times, then widht at 147, then 25 characters more.
    shown = "…+ in.c + in.c + in.c + in.c + widht + in.c + in.c + in.c + i…"
    assert f"unknown name 'widht' at character 148 of '{shown}'; the names" in error.message


# --- Limits: length, depth, size -------------------------------------------------------------


def test_the_length_limit():
    at_most = "1" + "+1" * 249 + " "  # 500 characters
    assert len(at_most) == MAX_LENGTH and value(at_most) == 250
    too_long = at_most + "1"
    error = refused(too_long)
    assert error.message == (
        "the expression is 501 characters long, more than the 500 allowed; a shorter one would "
        "fix it"
    )
    assert error.offset == 500


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def _within_frames(text: str, frames: int = 250):
    """evaluate(text) with at most `frames` more Python frames than the caller has."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + frames)
    try:
        return evaluate(text, NAMES)
    finally:
        sys.setrecursionlimit(limit)


DEEP = f"the expression nests more than {MAX_DEPTH} deep"


@pytest.mark.parametrize(
    ("opener", "leaf", "closer", "expected"),
    [("(", "1", ")", 1), ("-", "1", "", 1), ("not ", "true", "", True), ("min(", "1", ")", 1)],
)
def test_the_depth_limit(opener, leaf, closer, expected):
    """50 deep is read, within 250 frames of Python's stack; 51 deep is refused at the 51st."""
    assert _within_frames(opener * 50 + leaf + closer * 50) == expected
    text = opener * 51 + leaf + closer * 51
    error = refused(text)
    assert error.message.startswith(f"{DEEP} at character {len(opener) * 50 + 1} of ")
    assert error.message.endswith("; a simpler one would fix it")
    assert error.offset == len(opener) * 50


def test_deep_trees_are_refused_too():
    """An operator's operand is one level deeper, as is each link of a chain of ifs (33 of
    them fit in 500 characters, and are read)."""
    assert _within_frames("1 if last else " * 33 + "2") == 2
    assert _within_frames("1 + (" * 25 + "1" + ")" * 25) == 26  # 50 deep: 25 '+', 25 '('
    assert refused("1 + (" * 26 + "1" + ")" * 26).message.startswith(DEEP)
    # Parentheses around a left operand: 25 deep, yet a tree 50 tall, a '*' and a '+' in each.
    assert _within_frames("(" * 25 + "1" + "*1+1)" * 25) == 26  # 1 × 1 + 1, 25 times
    error = refused("(" * 26 + "1" + "*1+1)" * 26)
    assert error.message.startswith(f"{DEEP} at character 153 of ")  # the 26th '*'
    assert error.offset == 26 + 1 + 5 * 25  # 26 "(", the "1", then 25 times "*1+1)"
    # A tree as tall as the operators it nests, each tighter than the last.
    tower = "(true or true and not 1 < 1 + 1 * -" * 7 + "1" + ")" * 7
    assert refused(tower).message.startswith(DEEP)


def test_ten_thousand_parentheses_are_refused_quickly():
    """No RecursionError and no real work: the length is refused before anything is read."""
    start = time.perf_counter()
    for text in ("(" * 10_000 + "1" + ")" * 10_000, "(" * 10_000, "-" * 10_000 + "1"):
        error = refused(text)
        assert error.message.startswith(f"the expression is {len(text):,} characters long")
    deep = "(" * 240 + "1" + ")" * 240  # within 500 characters: refused at depth 51
    assert refused(deep).message.startswith(f"{DEEP} at character 51 of ")
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("text", "names", "offset"),
    [
        ("1000000000000000000 * 2", {}, 20),
        ("-1000000000000000000 - 1", {}, 21),  # below −10^18
        ("1000000 * 1000000 * 1000000 * 10", {}, 28),  # the third '*' passes
        ("1 / 1000000000000000000 / 2", {}, 24),  # the denominator passes
        ("x + 0", {"x": E18 + 1}, 0),  # a name's value, at the name
        ("x * 1", {"x": Fraction(1, 3 * E18)}, 0),
        ("divisible(1000000000000000000, 600000000000000000)", {}, 0),  # 1.2 × 10^18
    ],
)
def test_values_past_10_18_are_refused(text, names, offset):
    error = refused(text, names)
    assert error.offset == offset
    assert error.message.startswith("the expression's value passes 10^18 with ")
    assert error.message.endswith("; no real network is this large: use smaller numbers")


def test_values_up_to_10_18_are_not():
    assert value("1000000000000000000 * 1") == E18
    assert value("-1000000000000000000") == -E18
    assert value("999999999999999999 + 1") == E18
    assert value("1 / 1000000000000000000") == Fraction(1, E18)
    assert value("divisible(1000000000000000000, 1000000000000000000)") == E18
    assert value("x", x=E18) == E18


# --- Random input --------------------------------------------------------------------------------

PIECES = ["in.c", "first", "mode", "half", "nowhere", "0", "1", "2", "7", "1000000000000000000",
          "true", "false", "'same'", '"x"', "(", ")", ",", "+", "-", "*", "/", "//", "%", "==",
          "!=", "<", "<=", ">", ">=", "and", "or", "not", "if", "else", "min", "max", "floor",
          "ceil", "round", "divisible", ".", "'", "**", "=", "0.5", "08"]  # fmt: skip


def _outcome(text: str):
    """The value of `text`, or the ExpressionError it raises."""
    try:
        return evaluate(text, NAMES)
    except ExpressionError as error:
        return error


def _check_any(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, ExpressionError):
        assert outcome.message and 0 <= outcome.offset <= len(text)
        if len(text) <= MAX_LENGTH:
            assert f" at character {outcome.offset + 1} of " in outcome.message
    else:
        assert isinstance(outcome, (int, Fraction, bool, str))


@given(st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join))
def test_random_tokens_raise_only_expression_errors(text):
    _check_any(text)


@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_random_glued_tokens_raise_only_expression_errors(text):
    _check_any(text)


@given(st.text(max_size=80))
def test_random_text_raises_only_expression_errors(text):
    _check_any(text)


@given(st.lists(st.sampled_from(["(", "-", "not ", "min(", "+", "1 if true else "]), max_size=80),
       st.sampled_from(["1", "true", "in.c"]))  # fmt: skip
def test_random_nesting_stays_within_the_stack(openers, leaf):
    """However the constructs nest, no more than 250 frames: refused, or worked out."""
    text = "".join(openers) + leaf + "".join(")" for o in openers if o.endswith("("))
    with contextlib.suppress(ExpressionError):
        _within_frames(text)


# --- Precedence against Python's, on random expressions --------------------------------------
# Each expression is written twice: for cnncalc, and for Python with each number an F, so that
# Python's `/` is exact too. Python then parses the same text by its own grammar.


class F(Fraction):
    """A Fraction whose every result is an F: Python's own `//`, floor, ceil and round give
    ints, and 1 / 24 of two ints is a float, not 1/24."""


def _exact(name):
    method = getattr(Fraction, name)
    return lambda *numbers: F(method(*numbers))


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod"):
    setattr(F, f"__{_name}__", _exact(f"__{_name}__"))
    setattr(F, f"__r{_name}__", _exact(f"__r{_name}__"))
for _name in ("__neg__", "__pos__", "__floor__", "__ceil__", "__round__"):
    setattr(F, _name, _exact(_name))

PYTHON = {"F": F, "floor": math.floor, "ceil": math.ceil, "round": round, "min": min, "max": max}
ATOMS = st.sampled_from([("in.c", "F(24)"), ("width", "F(3)"), ("half", "F(1, 2)")]) | (
    st.integers(0, 12).map(lambda n: (str(n), f"F({n})"))
)
FLAGS = st.sampled_from([("first", "True"), ("last", "False"), ("true", "True")])


def _infix(ops, left, right):
    """`left OP right`, in both languages."""
    return st.builds(lambda a, op, b: (f"{a[0]} {op} {b[0]}", f"{a[1]} {op} {b[1]}"),
                     left, st.sampled_from(ops), right)  # fmt: skip


def _prefix(ops, operand):
    """`OP operand` or `OP(operand)`, in both languages."""
    return st.builds(lambda op, a: (f"{op}{a[0]}", f"{op}{a[1]}"), st.sampled_from(ops), operand)


def _flags(numbers):
    """True or false: comparisons of `numbers` (chained too), joined by and, or and not."""
    chained = st.builds(
        lambda a, b, c: (f"{a[0]} < {b[0]} <= {c[0]}", f"{a[1]} < {b[1]} <= {c[1]}"),
        numbers,
        numbers,
        numbers,
    )
    return st.recursive(
        FLAGS | _infix(["==", "!=", "<", "<=", ">", ">="], numbers, numbers) | chained,
        lambda inner: _infix(["and", "or"], inner, inner) | _prefix(["not "], inner)
        | _prefix(["("], inner).map(lambda pair: (pair[0] + ")", pair[1] + ")")),
        max_leaves=4,
    )  # fmt: skip


def _numbers(inner):
    return (
        _infix(["+", "-", "*", "/", "//", "%"], inner, inner)
        | _prefix(["-", "floor(", "ceil(", "round(", "("], inner).map(
            lambda pair: (pair[0], pair[1]) if pair[0][0] == "-" else (pair[0] + ")", pair[1] + ")")
        )
        | st.builds(lambda f, a, b: (f"{f}({a[0]}, {b[0]})", f"{f}({a[1]}, {b[1]})"),
                    st.sampled_from(["min", "max"]), inner, inner)
        # A conditional is loosest: as an operand it needs its parentheses, in Python too.
        | st.builds(lambda a, c, b: (f"({a[0]} if {c[0]} else {b[0]})",
                                     f"({a[1]} if {c[1]} else {b[1]})"), inner, _flags(ATOMS), inner)
    )  # fmt: skip


numbers = st.recursive(ATOMS, _numbers, max_leaves=12)
flags = _flags(numbers)


@given(numbers | flags)
def test_precedence_and_results_are_pythons(pair):
    ours, theirs = pair
    assume(len(ours) <= MAX_LENGTH)
    try:
        expected = eval(theirs, dict(PYTHON))  # the test's own text: Python as the reference
    except ZeroDivisionError:
        expected = ZeroDivisionError
    except (RecursionError, SyntaxError):  # too deep for Python's own parser
        assume(False)
    outcome = _outcome(ours)
    if isinstance(outcome, ExpressionError):
        # cnncalc refuses what Python works out only past 10^18 or too deep; it refuses what
        # Python cannot, a division by zero, unless a value past 10^18 came first.
        refusals = ["the expression's value passes 10^18", DEEP]
        refusals += ["division by zero with "] if expected is ZeroDivisionError else []
        event(outcome.message.split(" with ")[0].split(" at ")[0])
        assert outcome.message.startswith(tuple(refusals)), outcome.message
    else:
        event("a value")
        assert outcome == expected and isinstance(outcome, bool) == isinstance(expected, bool)
