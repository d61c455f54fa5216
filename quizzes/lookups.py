"""`field__in=[...]` on integer fields ignores numbers the column cannot hold.

Django already answers `pk=99999999999999999999` with no rows (IntegerFieldOverflow on exact,
gt, lt...), but not `pk__in=[99999999999999999999]`: SQLite's driver raises OverflowError while
binding it, and a posted id that large (an admin action's selection, a list-editable row, the
value an autocomplete field shows again) answered 500. No row can have such a value, so leaving
it out of the list changes no result.
"""

import copy

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        internal_type = self.lhs.output_field.get_internal_type()
        low, high = connection.ops.integer_field_range(internal_type)
        held = [value for value in self.rhs if fits(value, low, high)]
        if len(held) == len(self.rhs):
            return super().process_rhs(compiler, connection)
        # An empty list raises EmptyResultSet there, as for `pk__in=[]`.
        lookup = copy.copy(self)
        lookup.rhs = held
        return In.process_rhs(lookup, compiler, connection)


def fits(value, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return True  # None, expressions: Django's In handles them
    return (low is None or value >= low) and (high is None or value <= high)
