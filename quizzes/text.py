"""Text as the course stores it, whichever way it arrived (browser form, TOML file, import)."""


def normalise_newlines(text: str) -> str:
    """Browsers post textareas with \\r\\n and old editors save lone \\r; the code-block finder,
    the grader's line numbers and answer comparison all expect \\n, so text is stored with \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
