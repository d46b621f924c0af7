"""Urls and other post values handed to commands (issue 21): data, never shell code. Each hostile url
runs through real commands in a temporary folder, and no marker file may appear."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tui import links

HANG_GUARD = 20  # seconds: a hang guard, not a speed requirement

# Each tries to create a file named PWNED* in the working folder if any shell reads it as code.
HOSTILE_URLS = [
    "https://example.com/$(touch${IFS}PWNED1)`touch${IFS}PWNED2`;touch${IFS}PWNED3;",
    "https://example.com/'$(touch${IFS}PWNED4)'",
    'https://example.com/"$(touch${IFS}PWNED5)"',
    "https://example.com/?a=1|touch${IFS}PWNED6&&touch${IFS}PWNED7&b=2",
    "https://example.com/\\'$(touch${IFS}PWNED8)",
    "https://example.com/'\"'\"'$(touch${IFS}PWNED9)'\"'\"'",
    "https://example.com/>PWNED10",
    "mailto:x@example.com?subject=$(touch${IFS}PWNED11)",
]

# What users write as `browser` (argv, no shell, unless they start one themselves).
BROWSERS = [
    "sh -c 'echo {url} > out.txt'",
    "sh -c 'echo \"{url}\" > out.txt'",
    "sh -c \"echo '{url}' > out.txt\"",
    "sh -c 'printf %s\\\\n {url} > out.txt'",
    "sh -c 'echo \"$0\" > out.txt' {url}",
]

# What users type at the pipe key, or set under [pipes] (shell lines).
PIPES = [
    "echo {url} > out.txt",
    "echo '{url}' > out.txt",
    'echo "{url}" > out.txt',
    "printf '%s\\n' {url} {title} > out.txt",
]


def no_markers(folder: Path) -> None:
    assert sorted(name for name in os.listdir(folder) if name.startswith("PWNED")) == []


@pytest.mark.parametrize("command", BROWSERS)
def test_browser_command_never_runs_a_url(tmp_path: Path, command: str, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in HOSTILE_URLS:
        process = links.open_url(url, command)
        assert process is not None
        assert process.wait(timeout=HANG_GUARD) == 0
        no_markers(tmp_path)
        assert (tmp_path / "out.txt").read_text().strip() == url


def test_a_whole_word_placeholder_is_one_argument() -> None:
    for url in HOSTILE_URLS:
        assert links.command_args("firefox --new-tab {url}", {"url": url}) == [
            "firefox",
            "--new-tab",
            url,
        ]
    # Without a placeholder the url is the last argument.
    assert links.command_args("firefox", {"url": "x"}) == ["firefox"]


@pytest.mark.parametrize("command", PIPES)
def test_pipe_shell_line_quotes_every_placeholder(tmp_path: Path, command: str) -> None:
    title = "$(touch PWNED-title) `touch PWNED-t2` '; touch PWNED-t3"
    for url in HOSTILE_URLS:
        line = links.shell_line(command, {"url": url, "title": title, "path": "a b.md"})
        done = subprocess.run(line, shell=True, cwd=tmp_path, timeout=HANG_GUARD)
        assert done.returncode == 0
        no_markers(tmp_path)
        out = (tmp_path / "out.txt").read_text().splitlines()
        assert out[0] == url
        if "{title}" in command:
            assert out[1] == title


def test_urls_with_spaces_or_controls_do_not_open() -> None:
    for url in (
        "https://example.com/a b",
        "https://example.com/\ntouch PWNED",
        "https://example.com/\x1b]2;x\x07",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "/etc/passwd",
    ):
        assert not links.openable(url)
        with pytest.raises(OSError):
            links.open_url(url, "echo {url}")


def test_the_pipe_key_quotes_the_posts_values(tmp_path: Path, monkeypatch) -> None:
    """What the app's pipe key runs (tui/screens/services.py): the post's url, title and path
    in the user's shell line, each shell-quoted; the Markdown on standard input."""
    from tui.model import Post
    from tui.screens.services import pipe_values, run_command

    monkeypatch.chdir(tmp_path)
    post = Post(
        id=HOSTILE_URLS[0],
        path="a $(touch PWNED-path).md",
        title="$(touch PWNED-title)",
        date=None,
        url=HOSTILE_URLS[0],
    )
    line = links.shell_line(
        "cat > md.txt; echo {url} {title} {path} > out.txt", pipe_values(tmp_path, post)
    )
    title, _ = run_command(line, "# markdown\n")
    assert "exit status 0" in title
    no_markers(tmp_path)
    assert (tmp_path / "out.txt").read_text().split()[0] == post.url
    assert (tmp_path / "md.txt").read_text() == "# markdown\n"
