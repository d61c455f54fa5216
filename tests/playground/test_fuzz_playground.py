"""Hostile programs through the playground's endpoint: every one gets a page or a form error,
never a server error, and the site keeps serving afterwards (issue 17 §4)."""

import random

import pytest
from django.urls import reverse

from grader.constants import MAX_SOURCE_BYTES

EDITOR = reverse("playground:editor")
RUN = reverse("playground:run")

HOSTILE = [
    "import os\nos.system('id')\n",
    "__import__('subprocess').run(['sh'])\n",
    "open('/etc/passwd').read()\n",
    "().__class__.__base__.__subclasses__()\n",
    "import sys\nsys.modules['os']\n",
    "while True:\n    pass\n",
    "def f():\n    f()\nf()\n",
    "print('x' * 10**8)\n",
    "x = [0] * 10**10\n",
    "while True:\n    print('spam')\n",
    "raise SystemExit(3)\n",
    "raise BaseException('\\x00\\ud800')\n",
    "print('\\x00 nul and \\ud800 surrogate')\n",
    "print(10**100000)\n",
    "exec('import os')\n",
    "eval(compile('1', 'x', 'eval'))\n",
    "import gc\ngc.get_objects()\n",
    "class A:\n    def __del__(self):\n        raise ValueError\nA()\n",
    "import sys\nsys.setrecursionlimit(10**9)\n",
    "a = []\na.append(a)\nprint(a)\n",
    "(" * 500 + ")" * 500 + "\n",
    "x = 1\n" * 5000,
    "def g():\n    yield from g()\nlist(g())\n",
    "import weakref, copy\nprint(copy.deepcopy(weakref))\n",
    "\ufeffprint(1)\n",
    "print(1)\r\nprint(2)\r",
    "\t\tbad indentation\n",
    "lambda: (yield)\n",
    "async def f():\n    await f()\nf().send(None)\n",
    "globals()['__builtins__'].__import__('os')\n",
    "type('X', (), {'__eq__': lambda s, o: 1/0})() == 1\n",
    "import signal\nsignal.alarm(1)\n",
]


def random_program(rng: random.Random) -> str:
    """Printable noise, Python keywords and control characters, as someone mashing keys would."""
    words = [
        "def",
        "class",
        "(",
        ")",
        ":",
        "\n",
        "    ",
        "import",
        "os",
        "print",
        "'",
        '"',
        "\\",
        "lambda",
        "yield",
        "[",
        "]",
        "{",
        "}",
        "*",
        "**",
        "0",
        "1e999",
        "\x00",
        "\x7f",
        "#",
    ]
    return "".join(rng.choice(words) for _ in range(rng.randint(1, 60)))


@pytest.mark.django_db
def test_hostile_programs_get_no_server_error(client, student, settings):
    settings.RATE_LIMITS = {"playground": (10_000, 60), "grader": (10_000, 60)}
    client.force_login(student)
    rng = random.Random(17)
    edge = ["", "#" * (MAX_SOURCE_BYTES + 1), "\ud800"]
    programs = HOSTILE + edge + [random_program(rng) for _ in range(500 - len(HOSTILE) - 3)]
    statuses = []
    for number, source in enumerate(programs):
        action = "save" if number % 10 == 0 else "run"
        try:
            data = {"source": source, "action": action, "original": source[:50]}
            response = client.post(EDITOR, data)
        except UnicodeEncodeError:  # a lone surrogate: sent as the raw bytes a browser could
            response = client.post(
                EDITOR,
                b"source=%ED%A0%80&action=run",
                content_type="application/x-www-form-urlencoded",
            )
        statuses.append(response.status_code)
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 302, 400}
    print(f"fuzz: {len(programs)} programs, statuses {sorted(set(statuses))}")
    assert client.get(EDITOR).status_code == 200  # still serving


@pytest.mark.django_db
def test_hostile_programs_get_no_server_error_from_the_json_run(client, student, settings):
    """The same programs through the editor page script's Run (POST /playground/run/): a JSON
    outcome or a JSON form error each (a NUL: the site's 400 before any view, which the script
    answers by posting the page), never a server error."""
    settings.RATE_LIMITS = {"playground": (10_000, 60), "grader": (10_000, 60)}
    client.force_login(student)
    rng = random.Random(17)
    programs = (
        HOSTILE + ["", "\ud800"] + [random_program(rng) for _ in range(500 - len(HOSTILE) - 2)]
    )
    statuses = []
    for source in programs:
        try:
            response = client.post(RUN, {"source": source})
        except UnicodeEncodeError:  # a lone surrogate: sent as the raw bytes a browser could
            response = client.post(
                RUN, b"source=%ED%A0%80", content_type="application/x-www-form-urlencoded"
            )
        statuses.append(response.status_code)
        if "\x00" in source:  # refused before any view (config/middleware.py)
            assert response.status_code == 400
            continue
        assert response["Content-Type"] == "application/json", repr(source)
        body = response.json()
        assert ("status" in body) if response.status_code == 200 else body["error"]
    assert set(statuses) <= {200, 400}
    print(f"fuzz (JSON run): {len(programs)} programs, statuses {sorted(set(statuses))}")
    assert client.get(EDITOR).status_code == 200  # still serving
