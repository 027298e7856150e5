"""The phase rules of CodeBuild 0.2, with real bash processes in temporary directories: one shell
per build, failing commands, ``finally``, ``on-failure``, ``CODEBUILD_BUILD_SUCCEEDING``,
variables in and out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.runkit import build, commands, wait_gone

OK = "SUCCEEDED"


def test_cd_export_and_variables_persist_across_commands_and_phases(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    text = commands(
        ("install", ["cd sub", "export FROM_INSTALL=1", "PLAIN=2", 'greet() { echo hi "$1"; }']),
        ("pre_build", ["declare -a ARR=(x y)", "set -o pipefail"]),
        ("build", ["pwd", 'echo "$FROM_INSTALL $PLAIN ${ARR[1]}"', "greet there", "set -o"]),
        ("post_build", ["bash -c 'echo child sees $FROM_INSTALL/$PLAIN'"]),
    )
    run = build(tmp_path, text)
    assert run.status == OK
    out = run.output
    assert str(tmp_path / "sub") in out
    assert "1 2 y" in out
    assert "hi there" in out
    assert any(line.startswith("pipefail") and line.endswith("on") for line in out)
    assert "child sees 1/" in out  # exported reaches children, plain variables do not


def test_one_shell_per_build(tmp_path: Path) -> None:
    text = commands(("install", ["echo $$ > a"]), ("build", ["echo $$ > b", "echo $BASHPID > c"]))
    assert build(tmp_path, text).status == OK
    pids = {(tmp_path / n).read_text() for n in "abc"}
    assert len(pids) == 1


def test_failing_command_ends_its_phase_and_runs_finally(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo one\n      - exit 3\n"
        "      - echo skipped\n    finally:\n      - echo cleanup\n      - 'false'\n"
        "      - echo skipped too\n  post_build:\n    commands: [echo post]\n"
    )
    run = build(tmp_path, text)
    assert run.status == "FAILED"
    assert "skipped" not in run.output
    assert "skipped too" not in run.output
    assert run.output.index("cleanup") < run.output.index("post")
    record = run.phase("BUILD")
    assert (record.status, record.status_code) == ("FAILED", "COMMAND_EXECUTION_ERROR")
    # the first failure is the phase's reason, not the one in finally
    assert record.message == "Error while executing command: exit 3. Reason: exit status 3"
    assert run.result.reason == record.message


def test_finally_runs_after_success_and_its_failure_fails_the_phase(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands: [echo main]\n"
        "    finally: [echo cleanup, 'exit 4']\n"
    )
    run = build(tmp_path, text)
    assert run.output[:4] == ["main", "", "cleanup", ""]
    assert run.phase("BUILD").message.endswith("exit 4. Reason: exit status 4")
    assert run.status == "FAILED"


@pytest.mark.parametrize("phase", ["install", "pre_build"])
def test_install_or_pre_build_failure_skips_the_rest(tmp_path: Path, phase: str) -> None:
    text = commands(
        ("install", ["exit 1" if phase == "install" else "echo i"]),
        ("pre_build", ["exit 1" if phase == "pre_build" else "echo p"]),
        ("build", ["echo build"]),
        ("post_build", ["echo post"]),
        head="artifacts: {files: ['**/*']}",
    )
    run = build(tmp_path, text)
    assert run.status == "FAILED"
    assert "build" not in run.output
    assert "post" not in run.output
    names = [name for name, _ in run.phases()]
    ran = ["DOWNLOAD_SOURCE", "INSTALL"] + (["PRE_BUILD"] if phase == "pre_build" else [])
    assert names == [*ran, "FINALIZING"]
    assert run.patterns[-1].startswith("[Container] <time> Phase context status code: COMMAND")


def test_on_failure_continue_goes_on_to_the_next_phase(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nphases:\n  install:\n    on-failure: CONTINUE\n    commands: ['false', echo no]\n"
        "  build:\n    commands: ['echo build $CODEBUILD_BUILD_SUCCEEDING']\n"
    )
    run = build(tmp_path, text)
    assert "no" not in run.output
    assert "build 0" in run.output
    assert run.status == "FAILED"  # the build still failed
    assert run.phases()[1:5] == [
        ("INSTALL", "FAILED"),
        ("PRE_BUILD", OK),
        ("BUILD", OK),
        ("POST_BUILD", OK),
    ]


def test_on_failure_abort_is_the_default(tmp_path: Path) -> None:
    explicit = (
        "version: 0.2\nphases:\n  pre_build:\n    on-failure: ABORT\n    commands: ['false']\n"
    )
    explicit += "  build:\n    commands: [echo build]\n"
    run = build(tmp_path, explicit)
    assert "build" not in run.output
    assert run.status == "FAILED"


def test_post_build_and_artifacts_run_after_a_failed_build(tmp_path: Path) -> None:
    text = commands(
        ("build", ["echo out > result.txt", "false"]),
        ("post_build", ["echo post $CODEBUILD_BUILD_SUCCEEDING"]),
        head="artifacts: {files: [result.txt]}",
    )
    run = build(tmp_path, text)
    assert "post 0" in run.output
    assert run.phases() == [
        ("DOWNLOAD_SOURCE", OK),
        ("INSTALL", OK),
        ("PRE_BUILD", OK),
        ("BUILD", "FAILED"),
        ("POST_BUILD", OK),
        ("UPLOAD_ARTIFACTS", OK),
        ("FINALIZING", OK),
    ]
    assert [a.name for a in run.result.artifacts] == ["result.txt"]


def test_codebuild_build_succeeding_is_1_then_0(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nphases:\n  install:\n    on-failure: CONTINUE\n"
        "    commands: ['echo install $CODEBUILD_BUILD_SUCCEEDING', 'false']\n"
        "    finally: ['echo finally $CODEBUILD_BUILD_SUCCEEDING']\n"
        "  build:\n    commands: ['echo build $CODEBUILD_BUILD_SUCCEEDING',"
        " 'export CODEBUILD_BUILD_SUCCEEDING=1']\n"
        "  post_build:\n    commands: ['sh -c \"echo child $CODEBUILD_BUILD_SUCCEEDING\"']\n"
    )
    run = build(tmp_path, text)
    assert [line for line in run.output if line] == ["install 1", "finally 0", "build 0", "child 0"]


def test_exported_variables_are_read_back_after_the_build(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nenv:\n  variables: {FROM_SPEC: spec}\n"
        "  exported-variables: [IMAGE_TAG, PLAIN, MULTI, FROM_SPEC, NEVER_SET, EMPTY]\n"
        "phases:\n  build:\n    commands:\n      - export IMAGE_TAG=v1.2\n      - PLAIN='a b'\n"
        "      - \"MULTI=$(printf 'x\\\\ny\\\\n')\"\n      - EMPTY=\n"
    )
    run = build(tmp_path, text)
    assert run.status == OK
    assert run.result.exported == {
        "IMAGE_TAG": "v1.2",
        "PLAIN": "a b",
        "MULTI": "x\ny",
        "FROM_SPEC": "spec",
        "EMPTY": "",
    }


def test_exported_variables_after_a_failed_pre_build(tmp_path: Path) -> None:
    text = "version: 0.2\nenv: {exported-variables: [A]}\nphases:\n  pre_build:\n"
    text += "    commands: ['export A=set', 'false']\n"
    assert build(tmp_path, text).result.exported == {"A": "set"}


def test_variables_are_literal_and_overrides_win(tmp_path: Path) -> None:
    text = (
        'version: 0.2\nenv:\n  variables:\n    LIT: "$(touch pwned) `touch pwned2` $HOME ${X}"\n'
        "    BOTH: from-spec\n    NUM: 1.10\nphases:\n  build:\n"
        '    commands: [\'printf "%s|%s|%s\\n" "$LIT" "$BOTH" "$NUM"\']\n'
    )
    run = build(tmp_path, text, overrides={"BOTH": "from-project"})
    assert "$(touch pwned) `touch pwned2` $HOME ${X}|from-project|1.10" in run.output
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "pwned2").exists()


def test_event_data_in_the_environment_is_never_executed(tmp_path: Path) -> None:
    hostile = {
        "CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/$(touch pwned1)",
        "CODEBUILD_SOURCE_VERSION": "`touch pwned2`;touch pwned3",
        "COMMIT_MESSAGE": 'fix\'"; touch pwned4; echo "\n$(touch pwned5)\n',
        "CODEBUILD_WEBHOOK_BASE_REF": "() { :; }; touch pwned6",  # shellshock-shaped
    }
    text = commands(
        ("build", ['echo "$CODEBUILD_WEBHOOK_HEAD_REF"', "echo $CODEBUILD_SOURCE_VERSION", "env"])
    )
    run = build(tmp_path, text, overrides=hostile)
    assert run.status == OK
    assert "refs/heads/$(touch pwned1)" in run.output
    assert "`touch pwned2`;touch pwned3" in run.output
    assert not list(tmp_path.glob("pwned*"))


def test_command_text_reaches_the_shell_exactly(tmp_path: Path) -> None:
    command = "printf '%s|' \"a  b\" 'c \"d\"' `echo e` $(echo f) '$(g)' \"\\`h\\`\"; echo"
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        " + command + "\n"
    run = build(tmp_path, text)
    assert 'a  b|c "d"|e|f|$(g)|`h`|' in run.output
    assert f"[Container] <time> Running command {command}" in run.patterns


def test_positional_parameters_are_empty(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ['echo "[$#][$1][$2]"'])))
    assert "[0][][]" in run.output


def test_exit_set_e_and_break_fail_or_end_a_command_but_keep_cd_and_exports(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    text = (
        "version: 0.2\nphases:\n  install:\n    commands: [cd sub, export KEEP=yes]\n"
        "  build:\n    on-failure: CONTINUE\n    commands:\n      - |\n        set -e\n"
        "        false\n        echo not reached\n"
        "  post_build:\n    commands: ['exit 0', 'break', 'continue', 'echo \"$PWD $KEEP\"']\n"
    )
    run = build(tmp_path, text)
    assert "not reached" not in run.output
    assert f"{tmp_path / 'sub'} yes" in run.output
    assert run.phase("BUILD").message.endswith("Reason: exit status 1")
    assert run.phase("POST_BUILD").status == OK


def test_a_command_that_replaces_the_shell_gets_a_new_one(tmp_path: Path) -> None:
    text = commands(("build", ["exec sh -c 'exit 5'", "echo next $CODEBUILD_BUILD_SUCCEEDING"]))
    run = build(tmp_path, text)
    failed = (
        "[Container] <time> Command did not exit successfully exec sh -c 'exit 5' exit status 5"
    )
    assert failed in run.patterns
    assert "next" not in " ".join(run.output)  # the phase ended there
    text = commands(("build", ["exec true"]), ("post_build", ["echo post $PWD"]))
    run = build(tmp_path, text)
    assert f"post {tmp_path}" in run.output
    assert any("The build shell ended (exit status 0)" in p for p in run.patterns)


def test_bin_sh_as_the_shell(tmp_path: Path) -> None:
    text = commands(
        ("build", ["cd /tmp && export X=1", 'echo "$PWD $X"', "echo ${BASH_VERSION:-no-bash}"]),
        head="env: {shell: /bin/sh}",
    )
    run = build(tmp_path, text)
    assert run.status == OK
    assert "/tmp 1" in run.output
    assert "no-bash" in run.output


def test_a_command_reading_stdin_gets_end_of_file(tmp_path: Path) -> None:
    text = commands(("build", ["cat", "read line; echo read=$?", "head -c 10 | wc -c"]))
    run = build(tmp_path, text, timeout=30)
    assert run.status == OK
    assert "read=1" in run.output
    assert "0" in run.output


def test_the_shell_ending_while_a_background_process_holds_the_output(tmp_path: Path) -> None:
    text = commands(
        ("build", ["sleep 600 & echo $! > bg.pid", "exec sh -c 'exit 5'"]),
        ("post_build", ["echo post"]),
    )
    run = build(tmp_path, text, timeout=30)
    assert run.phase("BUILD").message.endswith("Reason: exit status 5")
    assert "post" in run.output
    assert wait_gone(int((tmp_path / "bg.pid").read_text()))
