"""`cnncalc check`: verdicts, locations, report formats and exit codes."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
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
    # These write every conv as shorthand or in a named block, or have none of their own.
    shorthand_only = {"mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "unet"}
    assert set(broken) == (
        {"total"} if path.stem in shorthand_only else {"kernel", "typo", "total"}
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
        # The first error: notes of the spec's own (M5's pools) may come before it.
        problems = json.loads(result.stdout)[0]["problems"]
        problem = next(p for p in problems if p["severity"] == "error")
        assert problem["line"] == expected_line[kind], kind
        assert expected_message[kind] in problem["message"], kind


# --- Entries that are not files, names that are not UTF-8, and safe reports ---


def _special(kind: str, path: Path) -> None:
    """A FIFO or a socket at `path`, named like a spec."""
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(path)
        return
    import socket

    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets here")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path.name)  # relative: a socket's path is limited to some 100 bytes
    server.close()  # the socket file stays


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_a_pipe_or_socket_in_a_directory_is_skipped_with_a_note(run, tmp_path, monkeypatch, kind):
    """Not opened (a FIFO would be waited on for ever), not a failure: a note says why."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(textwrap.dedent(GOOD))
    _special(kind, tmp_path / "odd.yaml")
    result = run("check", ".")
    assert result.exit_code == 0
    what = "a named pipe (FIFO)" if kind == "fifo" else "a socket"
    assert result.stdout.splitlines() == [
        "passed ./good.yaml",
        "skipped ./odd.yaml",
        f"       ./odd.yaml: note: is {what}, not a spec file; skipped without opening it",
        "1 file checked: 1 passed, 0 failed; 1 skipped",
    ]


def test_a_skipped_entry_in_the_machine_formats(run, tmp_path, monkeypatch):
    """JSON: a passing entry with its note; JUnit: a skipped test case; GitHub: a notice."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(textwrap.dedent(GOOD))
    _special("fifo", tmp_path / "pipe.yaml")
    entry = json.loads(run("check", ".", "--format", "json").stdout)[1]
    assert (entry["file"], entry["passed"], entry["notes"]) == ("./pipe.yaml", True, 1)
    assert entry["problems"][0]["severity"] == "note"
    suite = ET.fromstring(run("check", ".", "--format", "junit").stdout).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "0", "1")
    case = next(case for case in suite.iter("testcase") if case.get("name") == "./pipe.yaml")
    assert "skipped without opening it" in case.find("skipped").get("message")
    github = run("check", ".", "--format", "github").stdout.splitlines()
    assert github[0].startswith("::notice file=./pipe.yaml,title=cnncalc check::is a named pipe")


def test_a_directory_of_only_pipes_checks_nothing_and_fails(run, tmp_path):
    """Skipping every entry leaves nothing checked: as misconfigured as an empty directory."""
    _special("fifo", tmp_path / "pipe.yaml")
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "no spec files (*.yaml, *.yml) in this directory" in result.stdout


def _undecodable(folder: Path, text: str) -> str:
    """A spec file named with the byte 0xff, which is not UTF-8; its name as Python has it."""
    name = os.fsdecode(b"\xff.yaml")
    try:
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 names")
    return name


@pytest.mark.parametrize("fmt", ["text", "plain", "json", "junit", "github"])
def test_a_name_that_is_not_utf8_is_shown_with_escapes(run, tmp_path, monkeypatch, fmt):
    """Every format writes the byte as \\xff: JSON no longer fails to encode it, the others
    no longer write it raw (or as U+FFFD)."""
    monkeypatch.chdir(tmp_path)
    _undecodable(tmp_path, TYPO)
    result = run("check", ".", "--format", fmt)
    assert result.exit_code == 1
    assert "\\xff.yaml" in result.stdout
    assert "\ufffd" not in result.stdout
    if fmt == "json":
        entry = json.loads(result.stdout)[0]
        assert entry["file"] == entry["problems"][0]["file"] == "./\\xff.yaml"
    if fmt == "junit":
        case = ET.fromstring(result.stdout).find("testsuite/testcase")
        assert case.get("name") == "./\\xff.yaml"


def test_an_error_about_a_name_that_is_not_utf8_shows_escapes(run, tmp_path, monkeypatch):
    """`cnncalc table $'\\xff.yaml'`: the message names the file as \\xff.yaml."""
    monkeypatch.chdir(tmp_path)
    name = _undecodable(tmp_path, "input: [\n")
    result = run("table", name)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: \\xff.yaml:2:1: YAML syntax error")


def test_visible_writes_undecodable_bytes_as_escapes():
    """A lone surrogate from os.fsdecode is the byte it stands for; any other lone surrogate
    its code point; control characters as before; ordinary text untouched."""
    from cnncalc.errors import encodable, visible

    assert visible(os.fsdecode(b"a\x80\xff.yaml")) == "a\\x80\\xff.yaml"
    assert visible("\ud800\x1b é") == "\\ud800\\x1b é"
    assert encodable("line\n\udcfe") == "line\n\\xfe"  # JSON escapes the newline itself
    assert visible("ordinary ×") == encodable("ordinary ×") == "ordinary ×"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(textwrap.dedent(GOOD))
    return path


def _only(folder: Path, *names: str) -> None:
    """No temporary file left behind."""
    assert sorted(entry.name for entry in folder.iterdir()) == sorted(names)


# How the output names the spec my.yaml, and the name the message gives the spec.
SAME_FILE = {
    "same": (["my.yaml"], "my.yaml", None),
    "dotted": (["my.yaml"], "sub/../my.yaml", "my.yaml"),
    "symlink": (["my.yaml"], "other.yaml", "my.yaml"),
    "hard link": (["my.yaml"], "other.yaml", "my.yaml"),
    "walked": (["."], "my.yaml", "./my.yaml"),
    "bundled": (["my"], "my.yaml", None),  # shown as the spec is: my.yaml, relative
    "not yet": (["new.yaml"], "./new.yaml", "new.yaml"),
}


@pytest.mark.parametrize("how", list(SAME_FILE))
def test_output_is_never_one_of_the_specs(run, tmp_path, monkeypatch, spec, how):
    """`check my.yaml --output my.yaml` would replace the spec by its report: refused, by
    any spelling of the name, even one not created yet, naming both."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    args, output, named = SAME_FILE[how]
    if how in ("symlink", "hard link"):
        try:
            (os.symlink if how == "symlink" else os.link)("my.yaml", output)
        except (OSError, NotImplementedError):
            pytest.skip(f"no {how}s here")
    if how == "bundled":
        from cnncalc import bundled

        monkeypatch.setattr(bundled, "directory", lambda: str(tmp_path))
    before = spec.read_bytes()
    result = run("check", *args, "--output", output)
    assert result.exit_code == 2
    spec_named = f" '{named.format(tmp=tmp_path)}'," if named else ""
    assert (
        f"'{output}' is{spec_named} one of the specs to check; the report would overwrite it: "
        "write it to another file"
    ) in result.stderr
    assert spec.read_bytes() == before
    assert not (tmp_path / "new.yaml").exists()


def test_a_report_that_fails_half_way_leaves_the_previous_one_whole(
    run, tree, tmp_path, monkeypatch
):
    """The report is put in place only once complete: a crash while writing it leaves the
    last report as it was, not empty, and no temporary file."""
    from cnncalc.render.check import FORMATS

    out = tmp_path / "reports"
    out.mkdir()
    (out / "report.json").write_text("the previous report")

    def broken(results, file=None):
        file.write('[{"file": ')
        raise RuntimeError("boom")

    monkeypatch.setitem(FORMATS, "json", broken)
    with pytest.raises(RuntimeError, match="boom"):
        run("check", str(tree / "good.yaml"), "--format", "json", "-o", str(out / "report.json"))
    assert (out / "report.json").read_text() == "the previous report"
    _only(out, "report.json")


def test_a_report_that_cannot_be_put_in_place_is_a_usage_error(run, spec, tmp_path, monkeypatch):
    """The last step failing (the rename) is exit 2 like any unwritable output, and leaves
    the previous report and no temporary file."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "report.txt").write_text("the previous report")

    def refused(source, target):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    result = run("check", str(spec), "-o", str(out / "report.txt"))
    assert result.exit_code == 2
    assert f"cannot write the report to '{out / 'report.txt'}': Permission denied" in result.stderr
    assert (out / "report.txt").read_text() == "the previous report"
    _only(out, "report.txt")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_report_has_the_permissions_of_a_file_created_normally(run, spec, tmp_path):
    """A new report: 0o666 less the umask, not mkstemp's 0o600; a report rewritten: the mode
    it had."""
    new, old = tmp_path / "new.txt", tmp_path / "old.txt"
    old.write_text("")
    old.chmod(0o604)
    umask = os.umask(0o027)
    try:
        assert run("check", str(spec), "-o", str(new)).exit_code == 0
        assert run("check", str(spec), "-o", str(old)).exit_code == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    assert stat.S_IMODE(old.stat().st_mode) == 0o604
    assert old.read_text().startswith("passed ")


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing/report.xml", "the directory '{tmp}/missing' does not exist"),
        (".", None),
        ("/dev/full", "No space left on device"),
    ],
)
def test_an_output_that_cannot_be_written_is_a_usage_error(run, spec, tmp_path, where, reason):
    """Exit 2 and a sentence naming the path: CI tells a broken path from a failing spec."""
    if where == "/dev/full" and not os.path.exists(where):
        pytest.skip("needs /dev/full")
    output = where if where.startswith("/") else f"{tmp_path}/{where}"
    result = run("check", str(spec), "--output", output)
    assert result.exit_code == 2
    if reason is None:
        assert f"'{output}' is a directory; give the report a file name" in result.stderr
    else:
        message = f"cannot write the report to '{output}': {reason.format(tmp=tmp_path)}"
        assert message in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_an_output_in_a_read_only_directory_is_a_usage_error(run, spec, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    result = run("check", str(spec), "--output", str(folder / "report.txt"))
    assert result.exit_code == 2
    assert f"cannot write the report to '{folder / 'report.txt'}': Permission denied" in (
        result.stderr
    )


def test_a_report_file_is_never_coloured(run, spec, tmp_path, monkeypatch):
    """FORCE_COLOR is for a CI log; a file named by --output gets plain text."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("check", str(spec)).stdout  # the log is coloured
    report = tmp_path / "report.txt"
    assert run("check", str(spec), "-o", str(report)).exit_code == 0
    assert report.read_text() == f"passed {spec}\n1 file checked: 1 passed, 0 failed\n"


def test_output_dash_is_standard_output(run, spec):
    """`-o -` is standard output, as it was: not a file named '-'."""
    result = run("check", str(spec), "-o", "-")
    assert result.stdout.endswith("1 file checked: 1 passed, 0 failed\n")
    assert not Path("-").exists()
