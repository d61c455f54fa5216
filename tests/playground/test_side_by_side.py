"""Two programs side by side (issue 17 §3): both run through the grader, both diagrams on one
page in a group that steps together, each run counted against the rates, and the trace's new
parts on the page (a compact trace, its cut, gc.collect() as a step)."""

import json
import re

from django.urls import reverse

import grader
from grader.trace import full_steps
from playground.examples import EXAMPLES
from tests.playground.test_playground import run, textarea_value

EDITOR = reverse("playground:editor")


def traces_in(html: str) -> list[dict]:
    blocks = re.findall(r'<script id="[^"]*" type="application/json">(.*?)</script>', html, re.S)
    blocks += re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_two_programs_run_side_by_side_in_one_stepping_group(client, logged_in):
    pair = EXAMPLES["alias-or-copy"]
    response = run(client, pair.source, action="compare", compare=pair.compare)
    assert response.status_code == 200
    html = response.text
    group = html[html.index('<div class="memdiagram-sync">') :]
    assert group.count('class="memdiagram"') == 2
    outputs = re.findall(r'<pre class="playground-output[^"]*">(.*?)</pre>', html, re.S)
    assert outputs == [grader.run(pair.source).stdout, grader.run(pair.compare).stdout]
    assert outputs[0] != outputs[1], "aliasing and copying print different things"
    first, second = traces_in(html)
    assert full_steps(first)[-1]["stdout"] == outputs[0]
    assert full_steps(second)[-1]["stdout"] == outputs[1]
    # Ids on the page stay unique with two results on it.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_an_example_opens_both_programs_prefilled(client, logged_in):
    pair = EXAMPLES["cycle-or-not"]
    page = client.get(EDITOR, {"example": "cycle-or-not"})
    assert page.status_code == 200
    assert textarea_value(page) == pair.source
    compare = re.search(r'<textarea name="compare"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert compare and compare.group(1) == pair.compare
    assert '<details class="playground-compare mt-2" open>' in page.text


def test_comparing_without_a_second_program_is_a_form_error(client, logged_in):
    response = run(client, "print(1)\n", action="compare", compare="")
    assert response.status_code == 400
    assert "Type a second program" in response.text
    assert "print(1)" in textarea_value(response)


def test_each_program_of_a_pair_counts_against_the_rate(client, logged_in, settings):
    settings.RATE_LIMITS = {"playground": (3, 60)}
    assert run(client, "a = 1\n", action="compare", compare="b = 2\n").status_code == 200
    refused = run(client, "a = 1\n", action="compare", compare="b = 2\n")
    assert refused.status_code == 429 and "the most one person may" in refused.text


def test_the_cycle_example_draws_gc_collect_as_a_step_of_its_own(client, logged_in):
    pair = EXAMPLES["cycle-or-not"]
    html = run(client, pair.source, action="compare", compare=pair.compare).text
    with_cycle, without = (full_steps(trace) for trace in traces_in(html))
    [collect] = [step for step in with_cycle if step["event"] == "collect"]
    assert collect["collect"]["reason"] == "gc.collect()"
    assert len(collect["collect"]["cycles"]) == 1
    assert with_cycle[-1]["stdout"] == f"{collect['collect']['collected']}\n"
    [plain] = [step for step in without if step["event"] == "collect"]
    assert plain["collect"]["cycles"] == [], "nothing was left for the collector"


def test_a_long_program_says_where_its_diagram_stops(client, logged_in):
    source = "total = 0\nfor i in range(3000):\n    total += i\nprint(total)\n"
    html = run(client, source).text
    [trace] = traces_in(html)
    assert trace["truncated"] and trace["cut"]["step"] == len(trace["steps"])
    cut = trace["cut"]
    assert f"The diagram stops after step {cut['step']}, before line {cut['line']}" in html
    assert re.search(r'<pre class="playground-output[^"]*">4498500\n</pre>', html)


def test_a_program_beside_a_misconception_is_the_engines_simulation(client, logged_in):
    source = EXAMPLES["alias-or-copy"].source
    response = run(client, source, action="misconception", misconception="assignment-copies")
    assert response.status_code == 200
    html = response.text
    assert "As a student who believes assignment copies the object" in html
    outputs = re.findall(r'<pre class="playground-output[^"]*">(.*?)</pre>', html, re.S)
    simulated = grader.simulate(source, "assignment-copies")
    assert outputs == [grader.run(source).stdout, simulated.stdout]
    real, believed = (full_steps(trace)[-1] for trace in traces_in(html))

    def shared(step):
        names = {local["name"]: local["ref"] for local in step["frames"][0]["locals"]}
        return names["a"] == names["b"]

    assert shared(real) and not shared(believed), "b = a shares; the misconception copies"


def test_a_misconception_must_be_chosen(client, logged_in):
    response = run(client, "a = [1]\n", action="misconception", misconception="")
    assert response.status_code == 400 and "Choose the misconception" in response.text
    unknown = run(client, "a = [1]\n", action="misconception", misconception="no-such-thing")
    assert unknown.status_code == 400
