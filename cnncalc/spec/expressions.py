"""The `${…}` expressions of block parameters, such as `${divisible(in.c * 6, 8)}`: numbers,
true, false, quoted strings, names (dotted: in.c), Python's operators and precedence and
six functions. Never `eval`: a spec is untrusted, so every cost is bounded: 500 characters,
nesting 50 deep (counted: never a RecursionError), every number within 10^18. Integers
stay exact; `/` gives a Fraction, imported only to evaluate (it costs startup time).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cnncalc.errors import suggestion
from cnncalc.limits import MAX_SIZE, past
from cnncalc.spec.values import show

if TYPE_CHECKING:
    from fractions import Fraction
    from typing import TypeAlias

# Strings at run time: naming Fraction there would import it.
Value: TypeAlias = "int | Fraction | bool | str"
_Number: TypeAlias = "int | Fraction"
_Token: TypeAlias = "tuple[str, str, int]"  # kind, text (a string's contents), offset

MAX_LENGTH, MAX_DEPTH, MAX_STRING = 500, 50, 100
_DIGITS = frozenset("0123456789")
_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")  # of a name
_PART = _START | _DIGITS  # the rest of a name
_KEYWORDS = frozenset(("and", "else", "false", "if", "not", "or", "true"))
_OPERATORS = ("//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "(", ")", ",")
# How tightly each infix operator binds, loosest first, as in Python; 0 ends an operand.
_LEVEL = {"if": 1, "or": 2, "and": 3, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5,
          "+": 6, "-": 6, "*": 7, "/": 7, "//": 7, "%": 7}  # fmt: skip
_IF, _NOT, _UNARY = 1, 4, 8
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul,
               "/": operator.truediv, "//": operator.floordiv, "%": operator.mod}  # fmt: skip
_COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
                ">": operator.gt, ">=": operator.ge}  # fmt: skip
# Each function's least and most number of arguments (None: no most).
_FUNCTIONS = {"ceil": (1, 1), "divisible": (2, 2), "floor": (1, 1), "max": (1, None),
              "min": (1, None), "round": (1, 1)}  # fmt: skip
# What a writer of Python or C may reach for, and what to write instead.
_HINTS = {"**": "there is no power operator: write the product out", "=": "compare with '=='",
          "&&": "write 'and'", "||": "write 'or'", "!": "write 'not', or '!=' to compare",
          ".": "a dot joins the parts of a name, as in in.c; there are no decimals"}  # fmt: skip
_OTHER = "expressions hold numbers, names, strings, parentheses and Python's operators"
_DEEP = f"the expression nests more than {MAX_DEPTH} deep", "; a simpler one would fix it"
_VALUE = "; a number, a name, a string or '(' should come here"


class ExpressionError(Exception):
    """An expression that cannot be read or evaluated: one sentence, and where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset  # offset: 0-based; messages count from 1


def _shown(value: Value) -> str:
    """A value as a message shows it: 7/2, true, 'same'."""
    return show(value) if isinstance(value, (int, str)) else str(value)


class _Node:
    """value, name, unary, call, if, or chain: operators of one level (a + b - c, a < b < c)."""

    def __init__(self, kind: str, at: int, text: str = "", parts: list[_Node] | None = None):
        self.kind, self.at, self.text, self.parts = kind, at, text, parts or []  # at: its token
        self.ops: list[tuple[str, int]] = []  # a chain's operators and their offsets
        self.value: Value = 0
        self.height = 0


class _Text:
    """What the parser and an expression share: the text that messages point into."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, at: int, subject: str, rest: str = "") -> ExpressionError:
        """'SUBJECT at character 8 of 'in.c * )'REST', only the text around it when long."""
        text, start = self.text, max(0, at - 30)
        if len(text) > 60:  # the 60 characters around; "…"[:n] is "…" if n > 0, else ""
            text = "…"[:start] + text[start : start + 60] + "…"[: len(text) - start - 60]
        return ExpressionError(f"{subject} at character {at + 1} of {text!r}{rest}", at)


class _Parser(_Text):
    """A hand-written tokenizer and a Pratt parser. It counts the operands it descends into
    and the tree's height: both stop at MAX_DEPTH, as parse and evaluation recurse by them."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.tokens, self.index, self.depth = self.tokenize(), 0, 0
        self.names: set[str] = set()

    def tokenize(self) -> list[_Token]:
        text, tokens, i = self.text, list[_Token](), 0
        while i < len(text):
            char, pair, end = text[i], text[i : i + 2], i + 1
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if char in _DIGITS:
                end = self.number(i)
                tokens.append(("number", text[i:end], i))
            elif char in "'\"":
                end = text.find(char, i + 1) + 1
                if not end or end - i - 2 > MAX_STRING:
                    long = f" is longer than the {MAX_STRING} characters allowed; shorten it"
                    raise self.error(i, "the string", long if end else f" has no closing {char}")
                tokens.append(("string", text[i + 1 : end - 1], i))
            elif char in _START:  # a name's parts joined by dots are one name: in.c
                while end < len(text) and (
                    text[end] in _PART or (text[end] == "." and text[end + 1 : end + 2] in _START)
                ):
                    end += 1
                tokens.append(("word" if text[i:end] in _KEYWORDS else "name", text[i:end], i))
            elif op is not None and pair not in _HINTS:
                end = i + len(op)
                tokens.append(("op", op, i))
            elif char not in " \t\r\n":
                shown = pair if pair in _HINTS else char
                raise self.error(i, f"unexpected {shown!r}", f"; {_HINTS.get(shown, _OTHER)}")
            i = end
        return [*tokens, ("end", "", len(text))]

    def number(self, i: int) -> int:
        """Where the decimal number at `i` ends, or why it is not one."""
        text, end = self.text, i
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        digits, after = text[i:end], text[end : end + 1]
        if after.isalnum() or after in ("_", "."):  # 1_000, 0x10, 1e5, 3px, 0.75
            while end < len(text) and (text[end].isalnum() or text[end] in "_."):
                end += 1
            fix = "write a fraction, such as 3/4" if "." in text[i:end] else "write digits alone"
            raise self.error(i, repr(text[i:end]), f" is not a whole number in decimal; {fix}")
        if len(digits) > 1 and digits[0] == "0":
            rest = f" has a leading zero; write it without, as {digits.lstrip('0') or 0}"
            raise self.error(i, "the number", rest)
        if len(digits) > 19 or int(digits) > MAX_SIZE:  # 19 digits hold 10^18
            rest = " passes 10^18; no real network is this large, so a smaller one would fix it"
            raise self.error(i, "the number", rest)
        return end

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        self.index += 1
        return self.tokens[self.index - 1]

    def level(self) -> int:
        kind, word, _ = self.peek()
        return _LEVEL.get(word, 0) if kind in ("op", "word") else 0

    def found(self, the: str = "") -> str:
        kind, word, _ = self.peek()
        return {"end": f"{the}end", "string": f"{the}string {word!r}"}.get(kind, repr(word))

    def unexpected(self, rest: str) -> ExpressionError:
        return self.error(self.peek()[2], f"unexpected {self.found()}", rest)

    def built(self, node: _Node) -> _Node:
        node.height = 1 + max(part.height for part in node.parts)
        if node.height > MAX_DEPTH:
            raise self.error(node.at, *_DEEP)
        return node

    def close(self, want: str, purpose: str, opened: int) -> None:
        """Take the `want` that closes what opened at `opened`, or refuse."""
        if self.peek()[1] == want and self.peek()[0] in ("op", "word"):
            self.take()
            return
        subject = f"expected {want!r} to {purpose} at character {opened + 1}, but found "
        raise self.error(self.peek()[2], subject + self.found("the "))

    def operand(self, level: int, at: int) -> _Node:
        """The operand of the operator or parenthesis at `at`, one level deeper."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(at, *_DEEP)
        node = self.expression(level)
        self.depth -= 1
        return node

    def expression(self, level: int = 0) -> _Node:
        """The operators that bind more tightly than `level`, with their operands."""
        node = self.prefix(level)
        while (next_level := self.level()) > level:
            if next_level == _IF:
                at = self.take()[2]
                condition = self.operand(_IF, at)
                self.close("else", "finish the 'if'", at)
                # Right-associative: a if c else b if d else e.
                node = self.built(_Node("if", at, parts=[node, condition, self.operand(0, at)]))
                continue
            # Operators of one level, left to right as Python's: a flat node, not a deep tree.
            node = _Node("chain", self.peek()[2], parts=[node])
            while self.level() == next_level:
                _, op, at = self.take()
                node.ops.append((op, at))
                node.parts.append(self.operand(next_level, at))
            node = self.built(node)
        return node

    def prefix(self, level: int) -> _Node:
        kind, word, at = self.peek()
        keyword = word if kind in ("op", "word") else ""
        if kind == "end" or keyword not in ("", "(", "-", "+", "not", "true", "false"):
            raise self.unexpected(_VALUE)
        if keyword == "not" and level > _NOT:  # as in Python, 1 + not x is not an expression
            raise self.unexpected("; put 'not …' in parentheses here")
        self.take()
        if keyword == "(":
            node = self.operand(0, at)
            self.close(")", "close '('", at)
            return node
        if keyword in ("-", "+", "not"):
            operand = self.operand(_NOT if word == "not" else _UNARY, at)
            return self.built(_Node("unary", at, word, [operand]))
        if kind == "name" and self.peek()[:2] == ("op", "("):
            return self.call(word, at)
        if kind == "name":
            self.names.add(word)
        node = _Node("name" if kind == "name" else "value", at, word)
        node.value = int(word) if kind == "number" else word == "true" if keyword else word
        return node

    def call(self, name: str, at: int) -> _Node:
        if name not in _FUNCTIONS:
            listing = "ceil, divisible, floor, max, min and round"
            rest = f"; the functions are {listing}{suggestion(name, list(_FUNCTIONS))}"
            raise self.error(at, f"unknown function {name!r}", rest)
        self.take()  # the '('
        args = []
        if self.peek()[:2] != ("op", ")"):
            args.append(self.operand(0, at))
            while self.peek()[:2] == ("op", ","):
                args.append(self.operand(0, self.take()[2]))
        self.close(")", f"close '{name}('", at)
        least, most = _FUNCTIONS[name]
        if not least <= len(args) <= (most or len(args)):
            wanted = {None: "one or more arguments", 1: "1 argument"}.get(most, f"{most} arguments")
            raise self.error(at, f"{name}()", f" takes {wanted}, but got {len(args)}")
        return self.built(_Node("call", at, name, args))


def parse(text: str) -> Expression:
    """The expression `text` spells, or ExpressionError saying where and why it does not."""
    if len(text) > MAX_LENGTH:
        message = f"the expression is {len(text):,} characters long, more than the {MAX_LENGTH}"
        raise ExpressionError(f"{message} allowed; a shorter one would fix it", MAX_LENGTH)
    parser = _Parser(text)
    root = parser.expression()
    if parser.peek()[0] != "end":
        raise parser.unexpected("; an operator or the end should come here")
    return Expression(text, root, frozenset(parser.names))


def evaluate(text: str, names: Mapping[str, Value]) -> Value:
    return parse(text).evaluate(names)


class Expression(_Text):
    """A parsed expression: its text, the names it reads, and its value given theirs."""

    def __init__(self, text: str, root: _Node, names: frozenset[str]) -> None:
        super().__init__(text)
        self._root, self._names = root, names

    def names(self) -> frozenset[str]:
        """Every name it may read, even one that a short-circuit leaves unread."""
        return self._names

    def evaluate(self, names: Mapping[str, Value]) -> Value:
        return self._value(self._root, names)

    def _value(self, node: _Node, names: Mapping[str, Value]) -> Value:
        kind, at, parts = node.kind, node.at, node.parts
        if kind == "value":
            return node.value
        if kind == "name":
            return self._look_up(node.text, at, names)
        if kind == "call":
            return self._call(node.text, [self._value(part, names) for part in parts], at)
        if kind == "if":
            condition = self._truth(self._value(parts[1], names), "if", at)
            return self._value(parts[0] if condition else parts[2], names)
        if kind == "unary":
            value = self._value(parts[0], names)
            if node.text == "not":
                return not self._truth(value, "not", at)
            number = self._number(value, repr(node.text), at)
            return -number if node.text == "-" else number
        first = node.ops[0][0]
        if first in ("and", "or"):
            stop = first == "or"  # 'or' stops at the first true operand, 'and' at the first false
            # The first operand answers to the first operator, each other to the one before it.
            for part, (_, op_at) in zip(parts, node.ops[:1] + node.ops, strict=True):
                if self._truth(self._value(part, names), first, op_at) is stop:
                    return stop
            return not stop
        left = self._value(parts[0], names)
        for (op, op_at), part in zip(node.ops, parts[1:], strict=True):
            right = self._value(part, names)
            if op in _ARITHMETIC:
                left = self._arithmetic(op, left, right, op_at)
            elif not self._compare(op, left, right, op_at):
                return False  # as in Python, 1 < 0 < x reads no further
            else:
                left = right
        return left if first in _ARITHMETIC else True

    def _look_up(self, name: str, at: int, names: Mapping[str, Value]) -> Value:
        if name not in names:
            known = ", ".join(sorted(names))
            listing = f"the names known here are {known}" if known else "no names are known"
            close = suggestion(name, [*names, "true", "false"])
            raise self.error(at, f"unknown name {name!r}", f"; {listing}{close}")
        value = names[name]
        return value if isinstance(value, (bool, str)) else self._within(value, repr(name), at)

    def _truth(self, value: Value, op: str, at: int) -> bool:
        if isinstance(value, bool):
            return value
        rest = f" needs true or false, but got {_shown(value)}; a comparison (n > 0) gives one"
        raise self.error(at, repr(op), rest)

    def _number(self, value: Value, what: str, at: int) -> _Number:
        if isinstance(value, (bool, str)):
            raise self.error(at, what, f" takes numbers, but got {_shown(value)}")
        return value

    def _within(self, number: _Number, what: str, at: int) -> _Number:
        """`number`, unless it (or a fraction's numerator or denominator) passes 10^18."""
        parts = (number,) if isinstance(number, int) else (number.numerator, number.denominator)
        if any(past(part) for part in parts):
            subject = f"the expression's value passes 10^18 with {what}"
            raise self.error(at, subject, "; no real network is this large: use smaller numbers")
        return number

    def _compare(self, op: str, left: Value, right: Value, at: int) -> bool:
        kinds = [{"bool": "true and false", "str": "strings"}.get(type(v).__name__, "numbers")
                 for v in (left, right)]  # fmt: skip
        if kinds[0] != kinds[1] or (kinds[0] != "numbers" and op not in ("==", "!=")):
            what = "two numbers, two strings or two of true and false"
            what = what if kinds[0] != kinds[1] else f"numbers (== and != also {kinds[0]})"
            rest = f" compares {what}, but got {_shown(left)} and {_shown(right)}"
            raise self.error(at, repr(op), rest)
        return bool(_COMPARISONS[op](left, right))

    def _arithmetic(self, op: str, left: Value, right: Value, at: int) -> _Number:
        left, right = self._number(left, repr(op), at), self._number(right, repr(op), at)
        if right == 0 and op in ("/", "//", "%"):
            raise self.error(at, f"division by zero with {op!r}", "; divide by another number")
        if op == "/":  # exact: 7 / 2 is 7/2, not 3.5
            from fractions import Fraction

            left = Fraction(left)
        result: _Number = _ARITHMETIC[op](left, right)
        return self._within(result, repr(op), at)

    def _call(self, name: str, args: list[Value], at: int) -> Value:
        from fractions import Fraction

        numbers = [self._number(arg, f"{name}()", at) for arg in args]
        if name in ("floor", "ceil", "round"):  # exact, and round is half to even, as Python's
            x = numbers[0]
            return x // 1 if name == "floor" else -(-x // 1) if name == "ceil" else round(x)
        if name in ("min", "max"):
            return min(numbers) if name == "min" else max(numbers)
        # torchvision's and Keras's _make_divisible, exactly; floor(v + d/2) // d is (v + d/2) // d.
        value, divisor = numbers
        if divisor <= 0 or divisor % 1:
            rest = f" takes a whole divisor above 0, but got {_shown(divisor)}"
            raise self.error(at, "divisible()", rest)
        step = int(divisor)
        new = max(step, (value + Fraction(step, 2)) // step * step)
        if new < Fraction(9, 10) * value:
            new += step
        return self._within(new, "divisible()", at)


def as_int(value: Value, what: str) -> int:
    """`value` as an int: an int, or a Fraction that is whole; `what` names it if not."""
    if not isinstance(value, (bool, str)) and value % 1 == 0:
        return int(value)
    message = f"{what} must be a whole number, but the expression gives {_shown(value)}"
    raise ExpressionError(message, 0)


def as_bool(value: Value, what: str) -> bool:
    """`value` if it is true or false; `what` names it if not."""
    if isinstance(value, bool):
        return value
    message = f"{what} must be true or false, but the expression gives {_shown(value)}"
    raise ExpressionError(message, 0)
