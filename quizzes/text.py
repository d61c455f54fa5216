"""Text as it enters the site: one newline convention, whatever sent it."""


def normalise_newlines(text: str) -> str:
    """Browsers post textareas with \\r\\n (and old Mac files use a lone \\r); the site stores \\n,
    which the Markdown code-block finder, the grader and source hashes all rely on."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
