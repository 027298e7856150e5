"""A module's configuration: loading ``.tf`` files into a model, and checking it statically.

``load_module`` reads a directory (through the ``lang.FileSystem`` protocol) and decodes every
block, reporting all shape errors of all files at once; ``validate`` adds reference, function and
type checks by evaluating each expression with unknown inputs; ``module_scope`` builds the scope
the console evaluates in.

``input_values`` assigns the root module's variables their values as Terraform does (TF_VAR_
environment variables, terraform.tfvars, *.auto.tfvars, -var and -var-file, prompts), and
``check_validations`` evaluates the variables' ``validation`` rules against them.
"""

from gitterra.config._inputs import input_values
from gitterra.config._inputs_checks import check_validations
from gitterra.config._inputs_model import CliVar, InputValues, ValueOrigin, VarSource
from gitterra.config._loader import is_local_source, load_module
from gitterra.config._model import (
    Backend,
    Check,
    IgnoreChanges,
    Lifecycle,
    Local,
    Module,
    ModuleCall,
    Output,
    ProviderConfig,
    ProviderRef,
    Provisioner,
    RequiredProvider,
    Resource,
    Variable,
)
from gitterra.config._references import RefContext, check_functions, check_references
from gitterra.config._scope import ScopeOptions, local_order, module_scope, variable_namespace
from gitterra.config._validate import validate

__all__ = [
    "Backend",
    "Check",
    "CliVar",
    "IgnoreChanges",
    "InputValues",
    "Lifecycle",
    "Local",
    "Module",
    "ModuleCall",
    "Output",
    "ProviderConfig",
    "ProviderRef",
    "Provisioner",
    "RefContext",
    "RequiredProvider",
    "Resource",
    "ScopeOptions",
    "ValueOrigin",
    "VarSource",
    "Variable",
    "check_functions",
    "check_references",
    "check_validations",
    "input_values",
    "is_local_source",
    "load_module",
    "local_order",
    "module_scope",
    "validate",
    "variable_namespace",
]
