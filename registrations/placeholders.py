"""The placeholders (`{name}`, `{dates}`…) of the visa letter and of messages to delegates:
filling them, and checking a text. No model imports, so that the models can use it (no
import circle)."""

import re
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each `{name}` replaced; only bare names of `values` are accepted.

    str.format would also obey `{name[0]}` or `{name:>999999}`, which staff could type by
    mistake and which fail or blow up on some delegates' data: refuse anything but a name.
    """
    parts = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValueError("unbalanced braces") from error
    for literal, field, spec, conversion in parsed:
        parts.append(literal)
        if field is None:
            continue
        if field not in values or spec or conversion:
            raise ValueError(f"unknown placeholder {field!r}")
        parts.append(values[field])
    # A detail the delegate left empty must not leave ", ," in the sentence.
    return re.sub(r",(\s*,)+", ",", "".join(parts))


def letter_template_validate(*, template) -> None:
    """Every placeholder in every language's text must be one the letter knows."""
    errors = _placeholder_errors(obj=template, fields=("body",), names=type(template).PLACEHOLDERS)
    if errors:
        raise ValidationError(errors)


def message_validate(*, message) -> None:
    """A message to delegates: a subject and a text in every language (each delegate reads
    theirs), with only the placeholders a message knows."""
    errors = {}
    for code, _name in settings.LANGUAGES:
        for base, missing in (
            ("subject", _("Write the subject in this language too: some delegates read only it.")),
            ("body", _("Write the text in this language too: some delegates read only it.")),
        ):
            field = build_localized_fieldname(base, code)
            if not (getattr(message, field, "") or "").strip():
                errors[field] = missing
    found = _placeholder_errors(
        obj=message, fields=("subject", "body"), names=type(message).PLACEHOLDERS
    )
    errors = {**found, **errors}
    if errors:
        raise ValidationError(errors)


def _placeholder_errors(*, obj, fields: tuple[str, ...], names: tuple[str, ...]) -> dict:
    sample = {name: "x" for name in names}
    allowed = ", ".join(f"{{{name}}}" for name in names)
    errors = {}
    for base in fields:
        for code, _name in settings.LANGUAGES:
            field = build_localized_fieldname(base, code)
            try:
                fill_placeholders(getattr(obj, field, "") or "", sample)
            except ValueError:
                errors[field] = _(
                    "Use only these placeholders: %(names)s. Write a brace itself as {{ or }}."
                ) % {"names": allowed}
    return errors
