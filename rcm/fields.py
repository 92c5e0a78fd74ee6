"""Model fields for PHI: EncryptedTextField / EncryptedDateField and BlindIndexField."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from rcm import crypto
from rcm.tenancy.context import require_org


class Sealed(str):
    """A ciphertext as loaded from the database, not yet decrypted."""


class _DecryptingAttribute(DeferredAttribute):
    """A data descriptor (it defines __set__), so reads always pass through decryption."""

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            plain = self.field.decrypt_for(instance, value)
            instance.__dict__[self.field.attname] = plain
            instance.__dict__[self.field.cache_name_sealed] = (plain, str(value))
            return plain
        return value


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext bound to the row's org and this column. Not searchable: add a
    BlindIndexField for exact-match lookups."""

    descriptor_class = _DecryptingAttribute

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.cache_name_sealed = f"_sealed_{self.attname}"

    @property
    def aad_column(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def to_plain(self, value: Any) -> str:
        return str(value)

    def from_plain(self, value: str) -> Any:
        return value

    def decrypt_for(self, instance: Any, token: str) -> Any:
        plain = crypto.decrypt(token, org_id=instance.org_id, column=self.aad_column)
        return self.from_plain(plain)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value in (None, "") else Sealed(value)

    def to_python(self, value: Any) -> Any:
        return value

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value in (None, ""):
            return None if self.null else ""
        cached = model_instance.__dict__.get(self.cache_name_sealed)
        if cached and cached[0] == value:
            # unchanged: keep the stored ciphertext (no spurious history row)
            return Sealed(cached[1])
        return Sealed(
            crypto.encrypt(
                self.to_plain(value), org_id=model_instance.org_id, column=self.aad_column
            )
        )

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        """Ciphertext from pre_save passes through; a plain value (QuerySet.update, bulk_update)
        is encrypted for the active org, so no path writes plaintext."""
        if hasattr(value, "resolve_expression"):
            return value  # bulk_update's CASE: its Values come back here one by one
        if value in (None, "") or isinstance(value, Sealed):
            return None if value is None else str(value)
        if any(getattr(f, "source", None) == self.attname for f in self.model._meta.fields):
            raise TypeError(
                f"{self.aad_column} has a blind index: change it with save(), not update()"
            )
        return crypto.encrypt(self.to_plain(value), org_id=require_org().pk, column=self.aad_column)


class EncryptedDateField(EncryptedTextField):
    """A date (e.g. date of birth) kept encrypted; read back as datetime.date."""

    def to_plain(self, value: Any) -> str:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return value.isoformat()

    def from_plain(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DateField(
            required=not self.blank,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "initial"}},
        )


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value)


def upper_alnum(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


class BlindIndexField(models.CharField):
    """HMAC of another field's normalized plaintext, keyed per org, for exact-match search."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        normalizer: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.normalizer = normalizer or upper_alnum
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def index_for(self, value: str, *, org_id: int) -> str:
        column = f"{self.model._meta.db_table}.{self.source}"
        return crypto.blind_index(self.normalizer(value), org_id=org_id, column=column)

    def pre_save(self, model_instance: Any, add: bool) -> str:
        raw = getattr(model_instance, self.source)
        value = self.index_for(str(raw), org_id=model_instance.org_id) if raw else ""
        setattr(model_instance, self.attname, value)
        return value


def blind_lookup(model: type[models.Model], index_field: str, value: str) -> dict[str, str]:
    """Filter kwargs matching `value` through `index_field` in the active org."""
    from rcm.tenancy import require_org

    field = model._meta.get_field(index_field)
    return {index_field: field.index_for(value, org_id=require_org().pk)}
