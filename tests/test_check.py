"""`cnncalc check`: verdicts, locations, report formats and exit codes."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import SPECS

GOOD = """\
    input: [32, 32, 3]
    expect: {output: [10], params: 62958}
    layers:
      - {type: conv, filters: 8, kernel: 5, expect: [28, 28, 8]}
      - maxpool:2
      - conv:16,5
      - maxpool:2
      - fc:120
      - fc:84
      - softmax:10
    """
# CONV1 with 6 filters: the expectation on line 4 no longer holds.
WRONG_SHAPE = GOOD.replace("filters: 8", "filters: 6")
# A misspelled key on line 5, column 21.
TYPO = GOOD.replace("maxpool:2\n", "{type: maxpool, stirde: 2}\n", 1)
# Stride 2 on 15 rows leaves the last one unused: a warning only.
WARNS = """\
    input: [15, 15, 3]
    layers:
      - conv:4,2,2
    """


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A directory of specs: two good (one nested), two bad, one with a warning."""
    (tmp_path / "nested").mkdir()
    for name, text in [
        ("good.yaml", GOOD),
        ("nested/also-good.yml", GOOD),
        ("wrong-shape.yaml", WRONG_SHAPE),
        ("typo.yaml", TYPO),
        ("warns.yaml", WARNS),
        ("notes.txt", "not a spec"),
    ]:
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def test_directory_exit_code_and_verdicts(run, tree, monkeypatch):
    """Bad files fail the run; good ones and warnings-only ones pass."""
    monkeypatch.chdir(tree)
    result = run("check", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "passed ./good.yaml" in lines
    assert "passed ./nested/also-good.yml" in lines
    assert "passed ./warns.yaml" in lines
    assert "FAILED ./wrong-shape.yaml" in lines
    assert "FAILED ./typo.yaml" in lines
    assert lines[-1] == "5 files checked: 3 passed, 2 failed"


def test_all_good_exits_0(run, tree):
    """Only good files: exit 0."""
    result = run("check", str(tree / "good.yaml"), str(tree / "nested"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "2 files checked: 2 passed, 0 failed"


def test_strict_fails_on_warnings(run, tree):
    """--strict turns a warning into a failure."""
    assert run("check", str(tree / "warns.yaml")).exit_code == 0
    result = run("check", "--strict", str(tree / "warns.yaml"))
    assert result.exit_code == 1
    assert "stride 2 leaves the last row and the last column unused" in result.stdout


def test_a_pools_floor_is_a_note_that_strict_allows(run, tmp_path):
    """A pool dropping the last row is normal (Keras's MNIST convnet): a note, which even
    --strict passes; a conv doing the same is a warning, which --strict fails."""
    path = tmp_path / "mnist.yaml"
    path.write_text("input: [28, 28, 1]\nlayers:\n  - conv:32,3\n  - maxpool:3\n")
    result = run("check", "--strict", str(path))
    assert result.exit_code == 0
    left = (28 - 3 + 1) % 3  # the conv's 26 rows in windows of 3: 2 left over
    assert (
        f"note: layer 2 (POOL1): stride 3 leaves the last {left} rows and the last {left} "
        "columns unused" in result.stdout
    )
    github = run("check", "--strict", str(path), "--format", "github").stdout
    assert github.startswith("::notice file=")


def test_expectation_mismatch_names_both_values_and_place(run, tree, monkeypatch):
    """The issue's example: file:line:col, layer, expected and got."""
    monkeypatch.chdir(tree)
    result = run("check", "wrong-shape.yaml")
    assert (
        "wrong-shape.yaml:4:49: error: layer 1 (CONV1): expected shape (28, 28, 8), got (28, 28, 6)"
    ) in result.stdout
    # 8 filters became 6: CONV1 loses (5·5·3 + 1)·2 = 152 and CONV2, with 6 input
    # channels, 5·5·2·16 = 800: 62,958 - 952 = 62,006.
    assert (
        "wrong-shape.yaml:2:32: error: expected 62,958 parameters in total, got 62,006"
    ) in result.stdout


def test_json_report_has_every_field(run, tree, monkeypatch):
    """One object per file; each problem with file, line, column, layer, severity, message."""
    monkeypatch.chdir(tree)
    result = run("check", "typo.yaml", "warns.yaml", "--format", "json")
    document = json.loads(result.stdout)
    assert [(entry["file"], entry["passed"]) for entry in document] == [
        ("typo.yaml", False), ("warns.yaml", True),
    ]  # fmt: skip
    assert document[0]["problems"] == [
        {
            "severity": "error",
            "message": "maxpool has no key 'stirde'; did you mean 'stride'?",
            "file": "typo.yaml", "line": 5, "column": 21, "layer": 2, "name": "POOL1",
        }
    ]  # fmt: skip
    assert document[1]["warnings"] == 1
    assert document[1]["problems"][0]["severity"] == "warning"


def test_junit_report_parses(run, tree, monkeypatch):
    """JUnit XML: a test case per file, failures with messages, warnings as output."""
    monkeypatch.chdir(tree)
    result = run("check", "good.yaml", "typo.yaml", "warns.yaml", "--format", "junit")
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"good.yaml", "typo.yaml", "warns.yaml"}
    assert cases["good.yaml"].find("failure") is None
    failure = cases["typo.yaml"].find("failure")
    assert failure.get("message").startswith("typo.yaml:5:21: error: layer 2 (POOL1)")
    assert "stride 2 leaves" in cases["warns.yaml"].find("system-out").text


def test_github_annotations(run, tree, monkeypatch):
    """Workflow commands with the right file, line and column."""
    monkeypatch.chdir(tree)
    result = run("check", "typo.yaml", "warns.yaml", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=typo.yaml,line=5,col=21,title=cnncalc check::"
        "layer 2 (POOL1): maxpool has no key 'stirde'; did you mean 'stride'?"
    )
    assert lines[1] == (
        "::warning file=warns.yaml,line=3,col=14,title=cnncalc check::"
        "layer 1 (CONV1): stride 2 leaves the last row and the last column unused"
    )
    assert lines[2] == "2 files checked: 1 passed, 1 failed"


def test_github_escapes_properties():
    """Commas and colons in a file name would end a property: they are escaped."""
    import io

    from cnncalc.check import FileResult
    from cnncalc.errors import Diagnostic, Where
    from cnncalc.render.check import github_report

    problem = Diagnostic("50% off\nnext", Where("a,b:c.yaml", 1, 2))
    out = io.StringIO()
    github_report([FileResult("a,b:c.yaml", (problem,))], out)
    assert out.getvalue().splitlines()[0] == (
        "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=cnncalc check::50%25 off%0Anext"
    )


def test_output_writes_the_report_to_a_file(run, tree, tmp_path):
    """--output FILE takes the report; the exit code still tells."""
    report = tmp_path / "report.xml"
    result = run("check", str(tree / "typo.yaml"), "--format", "junit", "--output", str(report))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert ET.parse(report).getroot().tag == "testsuites"


def test_missing_path_fails_that_entry_only(run, tree):
    """A path that does not exist fails; the other files are still checked."""
    result = run("check", str(tree / "good.yaml"), "nowhere.yaml")
    assert result.exit_code == 1
    assert "FAILED nowhere.yaml" in result.stdout
    assert f"passed {tree / 'good.yaml'}" in result.stdout


def test_empty_directory_fails(run, tmp_path):
    """A directory with no specs is a misconfigured check, not a pass."""
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "no spec files (*.yaml, *.yml) in this directory" in result.stdout


def test_usage_errors(run):
    """No PATH, or an unknown format, is a usage error."""
    assert run("check").exit_code == 2
    assert run("check", "specs", "--format", "xml").exit_code == 2


def test_bundled_specs_pass_and_carry_expectations(run):
    """Every bundled spec passes check and states its expected totals."""
    result = run("check", str(SPECS), "--strict")
    assert result.exit_code == 0, result.stdout
    for path in SPECS.glob("*.yaml"):
        assert re.search(r"^expect: \{output: .*params: \d+", path.read_text(), re.M), path.name


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_breaking_a_bundled_spec_is_caught_at_its_line(run, tmp_path, path):
    """A too-large kernel, a misspelled key, a wrong total: each caught where it is."""
    text = path.read_text()
    # The first layer written {type: …, kernel: N}: its kernel becomes far larger than
    # any input here, or its key misspelt. (A spec whose convs are all shorthand or
    # inside named blocks has no such line: its total is still broken.)
    field = r"(\{type: [^}]*?)kernel: (\d+)"
    broken = {
        "kernel": re.sub(field, r"\1kernel: 999", text, count=1),
        "typo": re.sub(field, r"\1kernle: \2", text, count=1),
        "total": re.sub(r"params: (\d+)\}", lambda m: f"params: {int(m[1]) + 1}}}", text, count=1),
    }
    broken = {kind: changed for kind, changed in broken.items() if changed != text}
    # Only MobileNetV2 writes every conv as shorthand or in a named block.
    assert set(broken) == (
        {"total"} if path.stem == "mobilenet_v2" else {"kernel", "typo", "total"}
    )
    expected_line = {
        "kernel": line_of(broken["kernel"], "kernel: 999") if "kernel" in broken else 0,
        "typo": line_of(broken["typo"], "kernle") if "typo" in broken else 0,
        "total": line_of(text, "expect: {output"),
    }
    expected_message = {
        "kernel": "kernel 999 is larger than the padded input",
        "typo": "has no key 'kernle'; did you mean 'kernel'?",
        "total": "parameters in total, got",
    }
    assert "total" in broken
    for kind, changed in broken.items():
        spec = tmp_path / f"{kind}.yaml"
        spec.write_text(changed)
        result = run("check", str(spec), "--format", "json")
        assert result.exit_code == 1, kind
        problem = json.loads(result.stdout)[0]["problems"][0]
        assert problem["line"] == expected_line[kind], kind
        assert expected_message[kind] in problem["message"], kind
