"""`__in` on an integer field with a number no column can hold finds nothing (quizzes.lookups);
it raised OverflowError on SQLite."""

import pytest

from content.models import Topic

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999


def test_an_in_lookup_with_a_number_no_column_holds_finds_nothing(topic):
    assert list(Topic.objects.filter(pk__in=[HUGE])) == []
    assert list(Topic.objects.filter(pk__in=[HUGE, topic.pk])) == [topic]
    assert list(Topic.objects.filter(order__in=[-HUGE, topic.order])) == [topic]
