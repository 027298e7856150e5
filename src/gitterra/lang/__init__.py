"""The Terraform language: values, types, expressions and functions.

Pure: nothing here touches the disk, the network or the clock except through the protocols of
``_context`` passed in by the caller. Values carry *unknown* ("known after apply") and *sensitive*
marks through every operation and function.
"""

from gitterra.lang import _ast as ast
from gitterra.lang import _hcl as hcl
from gitterra.lang._ast import Expr, Traversal, traversals
from gitterra.lang._context import Clock, FileSystem, FunctionContext, SystemClock
from gitterra.lang._convert import (
    ConversionError,
    can_convert_type,
    convert,
    format_number,
    parse_number,
    unify,
)
from gitterra.lang._eval import (
    SPECIAL_FUNCTIONS,
    MissingMember,
    Namespace,
    Scope,
    evaluate,
    unknown_function,
)
from gitterra.lang._fmt import format_source
from gitterra.lang._format import format_value, go_quote, to_json_data, type_string
from gitterra.lang._function import (
    ArgumentError,
    ArityError,
    Function,
    FunctionError,
    Param,
    simple,
)
from gitterra.lang._hcl import Attribute, Block, Body
from gitterra.lang._ops import OpError
from gitterra.lang._render import TemplateRenderer, function_context
from gitterra.lang._syntax import Origin, parse_expression, parse_file
from gitterra.lang._template import parse_template
from gitterra.lang._typeexpr import type_from_expr
from gitterra.lang._types import (
    BOOL,
    DYNAMIC,
    EMPTY_OBJECT,
    EMPTY_TUPLE,
    NUMBER,
    STRING,
    DynamicType,
    ListType,
    MapType,
    ObjectType,
    PrimitiveType,
    SetType,
    TupleType,
    Type,
)
from gitterra.lang._values import (
    DYNAMIC_UNKNOWN,
    EMPTY_STRING,
    FALSE,
    NULL,
    TRUE,
    UNKNOWN,
    Value,
    bool_val,
    canonical_set,
    from_python,
    list_val,
    map_val,
    normalize_number,
    null_val,
    number_val,
    object_val,
    set_val,
    string_val,
    tuple_val,
    unknown_val,
)

__all__ = [
    "BOOL",
    "DYNAMIC",
    "DYNAMIC_UNKNOWN",
    "EMPTY_OBJECT",
    "EMPTY_STRING",
    "EMPTY_TUPLE",
    "FALSE",
    "NULL",
    "NUMBER",
    "SPECIAL_FUNCTIONS",
    "STRING",
    "TRUE",
    "UNKNOWN",
    "ArgumentError",
    "ArityError",
    "Attribute",
    "Block",
    "Body",
    "Clock",
    "ConversionError",
    "DynamicType",
    "Expr",
    "FileSystem",
    "Function",
    "FunctionContext",
    "FunctionError",
    "ListType",
    "MapType",
    "MissingMember",
    "Namespace",
    "ObjectType",
    "OpError",
    "Origin",
    "Param",
    "PrimitiveType",
    "Scope",
    "SetType",
    "SystemClock",
    "TemplateRenderer",
    "Traversal",
    "TupleType",
    "Type",
    "Value",
    "ast",
    "bool_val",
    "can_convert_type",
    "canonical_set",
    "convert",
    "evaluate",
    "format_number",
    "format_source",
    "format_value",
    "from_python",
    "function_context",
    "go_quote",
    "hcl",
    "list_val",
    "map_val",
    "normalize_number",
    "null_val",
    "number_val",
    "object_val",
    "parse_expression",
    "parse_file",
    "parse_number",
    "parse_template",
    "set_val",
    "simple",
    "string_val",
    "to_json_data",
    "traversals",
    "tuple_val",
    "type_from_expr",
    "type_string",
    "unify",
    "unknown_function",
    "unknown_val",
]
