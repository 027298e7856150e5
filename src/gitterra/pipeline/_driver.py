"""The driver: a fixed POSIX shell script that the build's one shell runs to serve the runner.

Protocol (all text, one line each):

- The runner writes each command to a file ``<dir>/cmd/<n>`` and sends ``run <n>`` on the
  shell's standard input; the driver reads requests on a copy of that descriptor (``CFD``) and
  gives the commands ``/dev/null`` as their standard input, so a command that reads input gets
  end-of-file at once. The driver matches requests against fixed patterns and never evaluates
  their text: a command's text only reaches the shell through the shell's own ``.`` builtin,
  exactly as written in the buildspec, never interpolated into a string of ours.
- After a request the driver prints ``<nonce> <id> <status>`` on a copy of the output pipe
  (``MFD``), so the marker comes after everything the command printed. The nonce is random per
  build; a line ending with it is a marker, not output.
- ``succeeding 0|1`` sets and exports ``CODEBUILD_BUILD_SUCCEEDING``; ``dump`` writes the value of
  each variable named in ``<dir>/exported`` to ``<dir>/out/<name>``; end of input ends the shell.

Commands run at the top level of the shell (not in a function, so ``declare`` makes globals), so
``cd``, ``export``, plain variables, functions and ``set`` options carry over from one command to
the next. The driver turns ``-e -u -v -x`` off for its own lines and back on before the next
command. A command that calls ``exit`` (or fails under ``set -e``, or runs ``break``) ends the
shell; the EXIT trap reports its status and re-executes the driver in the same process, which
keeps the directory and the exported variables (plain variables, functions and options are lost).
"""

from __future__ import annotations

import shlex

_TEMPLATE = r"""# gitterra build driver: see gitterra/pipeline/_driver.py for the protocol.
__gt_dir=$1
__gt_nonce=$2
__gt_self=$0
if [ "${3-}" != resume ]; then
  exec @CFD@<&0 @MFD@>&1 </dev/null
fi
set --
__gt_cur=
__gt_flags=
__gt_say() {
  command printf '%s %s %s\n' "$__gt_nonce" "$1" "$2" >&@MFD@
}
__gt_on_exit() {
  __gt_rc=$?
  { set +euvx; } 2>/dev/null
  if [ -n "$__gt_cur" ]; then
    __gt_say "$__gt_cur" "$__gt_rc"
    __gt_cur=
    exec @EXEC@ "$__gt_self" "$__gt_dir" "$__gt_nonce" resume
  fi
}
__gt_restore() {
  case $__gt_flags in *e*) set -e ;; esac
  case $__gt_flags in *u*) set -u ;; esac
  case $__gt_flags in *v*) set -v ;; esac
  case $__gt_flags in *x*) set -x ;; esac
}
__gt_dump() {
  while IFS= read -r __gt_n; do
    case $__gt_n in ''|[0-9]*|*[!A-Za-z0-9_]*) continue ;; esac
    eval "__gt_v=\${$__gt_n+set}"
    if [ "$__gt_v" = set ]; then
      eval "command printf '%s' \"\${$__gt_n}\"" >| "$__gt_dir/out/$__gt_n"
    fi
  done < "$__gt_dir/exported"
}
trap __gt_on_exit EXIT
trap '__gt_cur=; exit 143' TERM
trap '__gt_cur=; exit 129' HUP
trap '__gt_cur=; exit 130' INT
while :; do
  if [ -n "$__gt_cur" ]; then
    { __gt_flags=$-; set +euvx; } 2>/dev/null
    __gt_say "$__gt_cur" 0
    __gt_cur=
  fi
  IFS= read -r __gt_req <&@CFD@ || break
  case $__gt_req in
    "run "*)
      __gt_cur=${__gt_req#run }
      case $__gt_cur in
        ''|*[!0-9]*) __gt_cur=; __gt_say bad 2; continue ;;
      esac
      __gt_restore
      . "$__gt_dir/cmd/$__gt_cur"
      { __gt_rc=$? __gt_flags=$-; set +euvx; } 2>/dev/null
      __gt_say "$__gt_cur" "$__gt_rc"
      __gt_cur=
      ;;
    "succeeding 0"|"succeeding 1")
      CODEBUILD_BUILD_SUCCEEDING=${__gt_req#succeeding }
      export CODEBUILD_BUILD_SUCCEEDING
      __gt_say succeeding 0
      ;;
    dump)
      __gt_dump
      __gt_say dump 0
      ;;
    *) __gt_say bad 2 ;;
  esac
done
exit 0
"""


def shell_argv(shell_path: str, is_bash: bool) -> list[str]:
    """The shell's command line before the driver's path: bash without start-up files."""
    return [shell_path, "--noprofile", "--norc"] if is_bash else [shell_path]


def driver_script(argv: list[str], is_bash: bool) -> str:
    """The driver for a shell started with ``argv``.

    bash gets high descriptor numbers (a script's ``exec 9>lock`` must not take ours); other
    POSIX shells only address 0-9, so they get 8 and 9. ``@EXEC@`` is our own shell path, quoted:
    no text from a buildspec or an event is ever placed into the script.
    """
    cfd, mfd = ("247", "248") if is_bash else ("8", "9")
    return (
        _TEMPLATE.replace("@CFD@", cfd)
        .replace("@MFD@", mfd)
        .replace("@EXEC@", " ".join(shlex.quote(a) for a in argv))
    )
