"""The fixture format's writer: every text comes back exactly, written as authors write it."""

import tomllib

import pytest

from content.fixture_format import render_table, table_digest

AWKWARD_TEXTS = [
    "",
    "one line",
    "print('a')\nprint('b')\n",  # a program: ends with a newline
    "\nstarts with a blank line\n",
    "Two lines\nand no newline at the end",
    "ends with a quote'",
    "'starts with a quote",
    "x = '''three quotes'''\n",
    'print("""docstring""")\n',
    "a backslash \\n stays a backslash\n",
    "tab\there and unicode: é → ∞ 🐍\n",
    "a bell \x07 and a delete \x7f\n",
    "trailing spaces   \n  and leading ones\n",
]


def parsed(section: str, table: dict) -> dict:
    data = tomllib.loads(render_table(section, table))
    return data[section] if section == "topic" else data[section][0]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
@pytest.mark.parametrize("key", ["body", "title"])
def test_every_text_comes_back_exactly(key, text):
    assert parsed("pages", {"slug": "s", key: text}) == {"slug": "s", key: text}


def test_programs_and_prose_are_written_as_literal_strings_like_the_fixtures():
    table = {
        "slug": "s",
        "title": 'A "quoted" title',
        "snippet": "a = [1]\nprint(a)\n",
        "explanation": "First line,\nsecond line.",
        "prompt": "What does this print?",
    }
    assert render_table("questions", table) == (
        "[[questions]]\n"
        'slug = "s"\n'
        'title = "A \\"quoted\\" title"\n'
        "snippet = '''\na = [1]\nprint(a)\n'''\n"
        "explanation = '''First line,\nsecond line.'''\n"
        "prompt = '''What does this print?'''"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x = '''s'''\n", "three quotes end a literal string"),
        ("ends with a quote'", "readability"),
        ("bell \x07", "control characters"),
    ],
)
def test_texts_a_literal_string_cannot_hold_are_escaped(text, reason):
    rendered = render_table("pages", {"slug": "s", "body": text})
    assert 'body = """' in rendered, reason
    assert parsed("pages", {"slug": "s", "body": text})["body"] == text


def test_choices_are_tables_of_their_question_and_quiz_entries_inline():
    question = {
        "slug": "q",
        "choices": [{"text": "True", "misconception": ""}, {"text": "False", "misconception": "m"}],
    }
    assert render_table("questions", question).splitlines()[2:] == [
        "[[questions.choices]]",
        "text = '''True'''",
        'misconception = ""',
        "[[questions.choices]]",
        "text = '''False'''",
        'misconception = "m"',
    ]
    quiz = {"slug": "z", "questions": [{"slug": "a", "points": 1}, {"slug": "b", "points": 3}]}
    assert render_table("quizzes", quiz).splitlines()[2:] == [
        "questions = [",
        '  { slug = "a", points = 1 },',
        '  { slug = "b", points = 3 },',
        "]",
    ]
    assert parsed("quizzes", quiz) == quiz and parsed("questions", question) == question


def test_the_digest_covers_the_table_and_the_topic_it_is_filed_under():
    page = {"slug": "p", "title": "P", "body": "Text.\n"}
    digest = table_digest("pages", page, topic_slug="identity")
    assert digest == table_digest("pages", dict(page), topic_slug="identity")
    assert digest != table_digest("pages", {**page, "body": "Text!\n"}, topic_slug="identity")
    assert digest != table_digest("pages", page, topic_slug="copying")


def test_the_fixture_names_of_modes_and_policies_stay_those_the_files_use():
    from content.fixture_format import MODES, POLICIES

    assert set(MODES) == {"typed", "choice", "true_false"}
    assert set(POLICIES) == {"each_answer", "after_submit", "after_close"}
