"""What the console reports as an error (exit code 2), in words an operator can act on."""


class ConsoleError(Exception):
    """Bad input or an unknown stack or cluster; nothing was changed."""
