"""Snippets nobody here wrote (../shared/corpus): the grader must match a live `python -I` run.

Entries marked environment_dependent (their output depends on memory reuse) are skipped; the
stored outputs are not used, only the live interpreter. Skips cleanly when the corpus is absent.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import grader

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CORPUS_FILE = CORPUS / "memory_snippets_public.json"


def _entries() -> list[dict]:
    if not CORPUS_FILE.is_file():
        return []
    entries = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    return [entry for entry in entries if not entry.get("environment_dependent")]


ENTRIES = _entries()


@pytest.fixture(scope="module")
def cpython_results(cpython) -> dict:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(cpython, (entry["code"] for entry in ENTRIES))
        return dict(zip((entry["id"] for entry in ENTRIES), results, strict=True))


@pytest.mark.skipif(not ENTRIES, reason=f"corpus not found at {CORPUS_FILE}")
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["id"] for entry in ENTRIES])
def test_corpus_snippet_as_cpython(entry, cpython_results):
    outcome = grader.run(entry["code"]).to_dict()
    assert outcome["status"] in ("ok", "raised"), outcome["reasons"]
    expected = cpython_results[entry["id"]]
    assert (outcome["stdout"], outcome["exception"]) == (expected.stdout, expected.exception)
