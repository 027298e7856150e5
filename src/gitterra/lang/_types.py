"""The Terraform language's type system (cty's, as Terraform uses it).

Primitive types ``string``, ``number``, ``bool``; collection types ``list(T)``, ``set(T)``,
``map(T)`` whose elements share one type; structural types ``object({...})`` and ``tuple([...])``;
and ``dynamic`` (written ``any`` in type constraints), a placeholder that any value satisfies.
Types are immutable, hashable and compared by structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class Type:
    """Base of all types. Subclasses are frozen dataclasses; compare with ``==``."""

    __slots__ = ()

    @property
    def is_primitive(self) -> bool:
        return isinstance(self, PrimitiveType)

    @property
    def is_collection(self) -> bool:
        return isinstance(self, ListType | SetType | MapType)

    @property
    def is_dynamic(self) -> bool:
        return self is DYNAMIC

    def has_dynamic(self) -> bool:
        """Whether ``dynamic`` appears anywhere in this type."""
        return False

    def friendly(self) -> str:
        """The name Terraform's messages use (``list of string``, ``object``)."""
        return str(self)


@dataclass(frozen=True, slots=True)
class PrimitiveType(Type):
    name: str

    def __str__(self) -> str:
        return self.name

    def friendly(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DynamicType(Type):
    def __str__(self) -> str:
        return "any"

    def has_dynamic(self) -> bool:
        return True

    def friendly(self) -> str:
        return "any type"


@dataclass(frozen=True, slots=True)
class ListType(Type):
    element: Type

    def __str__(self) -> str:
        return f"list({self.element})"

    def has_dynamic(self) -> bool:
        return self.element.has_dynamic()

    def friendly(self) -> str:
        return f"list of {self.element.friendly()}"


@dataclass(frozen=True, slots=True)
class SetType(Type):
    element: Type

    def __str__(self) -> str:
        return f"set({self.element})"

    def has_dynamic(self) -> bool:
        return self.element.has_dynamic()

    def friendly(self) -> str:
        return f"set of {self.element.friendly()}"


@dataclass(frozen=True, slots=True)
class MapType(Type):
    element: Type

    def __str__(self) -> str:
        return f"map({self.element})"

    def has_dynamic(self) -> bool:
        return self.element.has_dynamic()

    def friendly(self) -> str:
        return f"map of {self.element.friendly()}"


@dataclass(frozen=True, slots=True)
class ObjectType(Type):
    """An object type. ``optional`` names attributes a *type constraint* allows to be omitted;
    ``defaults`` holds their default values (as :class:`~gitterra.lang.Value`), if any."""

    attrs: Mapping[str, Type]
    optional: frozenset[str] = frozenset()
    defaults: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.attrs.items(), key=lambda kv: kv[0])), self.optional))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectType)
            and dict(self.attrs) == dict(other.attrs)
            and self.optional == other.optional
        )

    def __str__(self) -> str:
        inner = ", ".join(
            f"{k}={f'optional({t})' if k in self.optional else t}"
            for k, t in sorted(self.attrs.items())
        )
        return f"object({{{inner}}})"

    def has_dynamic(self) -> bool:
        return any(t.has_dynamic() for t in self.attrs.values())

    def friendly(self) -> str:
        return "object"


@dataclass(frozen=True, slots=True)
class TupleType(Type):
    elements: tuple[Type, ...]

    def __str__(self) -> str:
        return f"tuple([{', '.join(str(t) for t in self.elements)}])"

    def has_dynamic(self) -> bool:
        return any(t.has_dynamic() for t in self.elements)

    def friendly(self) -> str:
        return "tuple"


STRING = PrimitiveType("string")
NUMBER = PrimitiveType("number")
BOOL = PrimitiveType("bool")
DYNAMIC = DynamicType()
EMPTY_OBJECT = ObjectType({})
EMPTY_TUPLE = TupleType(())


def object_type(attrs: Mapping[str, Type]) -> ObjectType:
    return ObjectType(dict(attrs))


def tuple_type(elements: Iterable[Type]) -> TupleType:
    return TupleType(tuple(elements))
