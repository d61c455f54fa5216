"""Admin input that names no row is answered 400 or with a form error, never a 500.

Three admin paths used what was posted before any form had checked it:
- an action's selection (`_selected_action`), filtered as `pk__in=selected`: a value that is
  not an id ("abc", "%00", "1,2,3", "") raised ValueError;
- an autocomplete field shown again with an invalid value (a quiz's question
  "abc" after the form has refused it) looks that value up to label it, and raised ValueError;
- an empty `?_to_field=` on a change or delete page was looked up as a field's name.

CourseAdminSite applies `InputCheckingAdmin` to every ModelAdmin registered with it, Django's
and third parties' included, and to their inlines. Numbers too large for a column are handled
by quizzes.lookups.IntegerFieldIn.
"""

import functools

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError


def accepts(field, value) -> bool:
    """The model field can hold `value` (a posted string): it converts and is in range."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class CheckedAutocompleteMixin:
    """Labels only the values the related field can hold; others are left unselected (the
    form shows its error for them). An empty field shows "Search <rows>" over an empty option, and
    a script names each select2 box after its field's label: select2 names a box by what it
    shows, so an empty one had no accessible name (issue 19)."""

    @property
    def media(self):
        # Names each select2 box after its field's label (issue 19; the script says why).
        return super().media + forms.Media(js=["quizzes/admin_autocomplete_names.js"])

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        rows = self.field.remote_field.model._meta.verbose_name_plural
        attrs["data-placeholder"] = f"Search {rows}"  # any placeholder still allows clearing
        return attrs

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        held = [v for v in value if v in (None, "") or accepts(target, v)]
        groups = super().optgroups(name, held, attr)
        options = groups[0][1]
        if not self.allow_multiple_selected and not any(o["value"] == "" for o in options):
            # select2 shows its placeholder only over an empty option, which Django leaves out
            # of a required field's; posted empty, the form says the field is required.
            selected = any(o["selected"] for o in options)
            options.insert(0, self.create_option(name, "", "", not selected, 0))
        return groups


class CheckedAutocompleteSelect(CheckedAutocompleteMixin, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(CheckedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class CheckedAutocompleteFields:
    """For ModelAdmin and InlineModelAdmin: autocomplete fields use the checked widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class InputCheckingAdmin(CheckedAutocompleteFields):
    """Mixed into every registered ModelAdmin by CourseAdminSite.register."""

    def response_action(self, request, queryset, *args, **kwargs):
        pk = queryset.model._meta.pk
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(accepts(pk, value) for value in selected):
            raise BadRequest("The selection of an admin action holds a value that is no id.")
        return super().response_action(request, queryset, *args, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        # "?_to_field=" (empty) passes Django's check of the field's name, which it then looks
        # up: FieldDoesNotExist. No field named is the primary key, as without the parameter.
        return super().get_object(request, object_id, from_field or None)

    def get_inlines(self, request, obj):
        return [input_checking(inline) for inline in super().get_inlines(request, obj)]


@functools.cache
def input_checking(admin_class: type) -> type:
    """`admin_class` with the checks above (inlines get the autocomplete check only)."""
    mixin = CheckedAutocompleteFields
    if not issubclass(admin_class, InlineModelAdmin):
        mixin = InputCheckingAdmin
    if issubclass(admin_class, mixin):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
    return type(admin_class.__name__, (mixin, admin_class), attrs)
