"""Which links newstui will follow, and how it hands them (and other post values) to commands: a url is data, never shell code."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import webbrowser
from collections.abc import Callable, Mapping

OPENABLE_SCHEMES = ("http://", "https://", "mailto:")
# A real url has none of these (they are percent-encoded); a browser or a command line given one
# could read it as more than one argument or as an option.
_NOT_IN_A_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Inside a longer word or a shell line: with the quotes someone may have put around it, which the
# quoted value replaces ('{url}' quoted again would put the value outside any quotes).
_QUOTED_PLACEHOLDER = re.compile(r"""(['"]?)\{(\w+)\}\1""")


def openable(url: str) -> bool:
    """Only web and mail links open: never a local path, javascript:, file: or anything else."""
    return url.strip().lower().startswith(OPENABLE_SCHEMES) and not _NOT_IN_A_URL.search(
        url.strip()
    )


def has_display() -> bool:
    """Whether a browser could show anything: over SSH without X forwarding it could not."""
    if sys.platform in ("darwin", "win32"):
        return not os.environ.get("SSH_CONNECTION")
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def command_args(command: str, values: Mapping[str, str]) -> list[str]:
    """A configured command line as argv, run without a shell: split as a shell would split it.

    A placeholder that is a whole word ({url}) becomes exactly one argument, whatever its value
    holds. One inside a longer word is shell-quoted (shlex.quote), because that word may be a
    script for a shell the command starts itself (`sh -c 'echo {url} >> seen'`), with any quotes
    written around it. Unknown placeholders are left as written.
    """
    args = []
    for part in shlex.split(command):
        whole = _PLACEHOLDER.fullmatch(part)
        if whole and whole[1] in values:
            args.append(values[whole[1]])
        else:
            args.append(_fill(part, values, shlex.quote))
    return args


def shell_line(command: str, values: Mapping[str, str]) -> str:
    """A command for `sh -c` (the pipe key's), with every placeholder shell-quoted."""
    return _fill(command, values, shlex.quote)


def _fill(text: str, values: Mapping[str, str], quote: Callable[[str], str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match[2]
        return quote(values[name]) if name in values else match[0]

    return _QUOTED_PLACEHOLDER.sub(one, text)


def open_url(url: str, command: str = "") -> subprocess.Popen | None:
    """Open url with the configured command ({url} placeholder, else appended as the last
    argument; see command_args), or the system browser. Returns the command's process.

    Raises OSError when nothing could be started. The child's output never reaches our terminal.
    """
    url = url.strip()
    if not openable(url):
        raise OSError(f"not a web or mail link: {url}")
    if command:
        args = command_args(command, {"url": url})
        if "{url}" not in command:
            args.append(url)
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    if not webbrowser.open(url):
        raise OSError("no browser found")
    return None
