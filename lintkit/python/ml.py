"""PyTorch and TensorFlow/Keras mistakes that train a model on the wrong numbers (PML001-PML004).

- PML001: sigmoid output fed to BCELoss / binary_cross_entropy.
- PML002: softmax output fed to NLLLoss (log of softmax included) or to
  CrossEntropyLoss (softmax applied twice).
- PML003: a softmax (sigmoid) output layer together with a Keras loss built
  with `from_logits=True`.
- PML004: the result of an in-place tensor method (`add_`) assigned to a name.
- PML005: a training loop that steps the optimizer without ever zeroing the gradients.

The activation is recognised on the argument itself or on a name bound once
to it in the same scope; the loss as a call of the functional form, of the
loss class (`nn.BCELoss()(...)`), or of a name or `self.` attribute bound to it.
"""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python.calls import last_identifier, method_name, words
from lintkit.python.names import call_name
from lintkit.python.security_common import imports_module
from lintkit.python.walk import bindings, nodes_of

_SIGMOIDS = ("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit")
_SOFTMAXES = ("torch.softmax", "torch.nn.functional.softmax", "torch.special.softmax")
_LOGS = ("torch.log",)
_BCE = ("torch.nn.BCELoss", "torch.nn.modules.loss.BCELoss")
_BCE_FUNCS = ("torch.nn.functional.binary_cross_entropy",)
_NLL = ("torch.nn.NLLLoss", "torch.nn.modules.loss.NLLLoss")
_NLL_FUNCS = ("torch.nn.functional.nll_loss",)
_CE = ("torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss")
_CE_FUNCS = ("torch.nn.functional.cross_entropy",)
_MODULE_ACTIVATIONS = {"torch.nn.Sigmoid": "sigmoid", "torch.nn.Softmax": "softmax"}


def ml_losses(module: nodes.Module, ctx: Any) -> None:
    codes = {c for c in ("PML001", "PML002", "PML003", "PML004") if ctx.enabled(c)}
    torch = imports_module(module, "torch")
    keras = imports_module(module, "tensorflow") or imports_module(module, "keras")
    if not codes or not (torch or keras):
        return
    for call in nodes_of(module, nodes.Call):
        if torch and codes & {"PML001", "PML002"}:
            _torch_loss(call, ctx, codes)
        if torch and "PML004" in codes:
            _inplace_assigned(call, ctx)
    if keras and "PML003" in codes:
        _keras_from_logits(module, ctx)


# -- PML001 / PML002 -------------------------------------------------------------------


def _torch_loss(call: nodes.Call, ctx: Any, codes: set[str]) -> None:
    loss = _loss_kind(call)
    if not loss or not call.args:
        return
    given = call.args[0]
    activation = _activation(given)
    if loss == "bce" and activation == "sigmoid" and "PML001" in codes:
        ctx.report(
            "PML001",
            given,
            "sigmoid output passed to BCELoss: probabilities near 0 or 1 lose precision, and log(0) turns the loss into inf/NaN",
            fix="Pass the raw logits to nn.BCEWithLogitsLoss (or F.binary_cross_entropy_with_logits), which computes the same loss stably",
        )
    elif loss == "nll" and activation in ("softmax", "log-softmax-by-hand") and "PML002" in codes:
        if activation == "log-softmax-by-hand":
            message = "log(softmax(x)) passed to NLLLoss: taking the log of a softmax underflows to -inf where log_softmax stays finite"
        else:
            message = "softmax output passed to NLLLoss, which expects log-probabilities: the loss and its gradients are wrong"
        ctx.report(
            "PML002",
            given,
            message,
            fix="Use F.log_softmax (nn.LogSoftmax) before NLLLoss, or pass the logits to nn.CrossEntropyLoss",
        )
    elif loss == "ce" and activation == "softmax" and "PML002" in codes:
        ctx.report(
            "PML002",
            given,
            "softmax output passed to CrossEntropyLoss, which applies log-softmax itself: the softmax is applied twice and gradients shrink",
            fix="Pass the raw logits to CrossEntropyLoss",
        )


def _loss_kind(call: nodes.Call) -> str:
    name = call_name(call) or ""
    for kind, funcs, classes in (("bce", _BCE_FUNCS, _BCE), ("nll", _NLL_FUNCS, _NLL), ("ce", _CE_FUNCS, _CE)):
        if name in funcs:
            return kind
        maker = _value(call.func)
        if isinstance(maker, nodes.Call) and call_name(maker) in classes:
            return kind
    return ""


def _activation(node: Any, depth: int = 0) -> str:
    """'sigmoid', 'softmax' or 'log-softmax-by-hand' for what produced `node`."""
    value = _value(node) if isinstance(node, nodes.Name) and depth < 3 else node
    if value is not node and value is not None:
        return _activation(value, depth + 1)
    if not isinstance(value, nodes.Call):
        return ""
    name = call_name(value) or ""
    if name in _SIGMOIDS:
        return "sigmoid"
    if name in _SOFTMAXES:
        return "softmax"
    if name in _LOGS and value.args and _activation(value.args[0], depth + 1) == "softmax":
        return "log-softmax-by-hand"
    func = value.func
    if isinstance(func, nodes.Attribute) and func.attrname in ("sigmoid", "softmax") and not name.startswith("torch."):
        return func.attrname  # `logits.sigmoid()`, `x.softmax(dim=1)`
    maker = _value(func)
    if isinstance(maker, nodes.Call):
        return _MODULE_ACTIVATIONS.get(call_name(maker) or "", "")
    return ""


def _value(node: Any) -> Any:
    """What a name (bound once) or `self.attr` (assigned once in the class) holds;
    a call's callee stays itself when it is a call (`nn.BCELoss()(...)`)."""
    if isinstance(node, nodes.Call):
        return node
    if isinstance(node, nodes.Name):
        bound = bindings(node)
        if len(bound) == 1 and isinstance(bound[0], nodes.AssignName) and isinstance(bound[0].parent, nodes.Assign):
            return bound[0].parent.value
        return None
    if isinstance(node, nodes.Attribute) and isinstance(node.expr, nodes.Name) and node.expr.name == "self":
        cls = node.frame().parent.frame() if node.frame().parent is not None else None
        if isinstance(cls, nodes.ClassDef):
            assigned = [a for a in nodes_of(cls, nodes.AssignAttr) if a.attrname == node.attrname and isinstance(a.parent, nodes.Assign)]
            if len(assigned) == 1:
                return assigned[0].parent.value
    return None


# -- PML003 ---------------------------------------------------------------------------

_LOGIT_LOSSES = {
    "CategoricalCrossentropy": "softmax",
    "SparseCategoricalCrossentropy": "softmax",
    "BinaryCrossentropy": "sigmoid",
    "categorical_crossentropy": "softmax",
    "sparse_categorical_crossentropy": "softmax",
    "binary_crossentropy": "sigmoid",
}


def _keras_from_logits(module: nodes.Module, ctx: Any) -> None:
    outputs = _output_activations(module)
    for call in nodes_of(module, nodes.Call):
        name = (call_name(call) or "").rsplit(".", 1)[-1]
        expected = _LOGIT_LOSSES.get(name)
        if expected is None or not _from_logits(call):
            continue
        direct = [a for a in call.args[1:2] if _keras_activation(a) == expected]
        if direct or expected in outputs:
            ctx.report(
                "PML003",
                _from_logits(call),
                f"from_logits=True on the output of a {expected}: the loss applies {expected} again, so the model trains on squashed values",
                fix=f"Drop the {expected} from the last layer (output logits), or set from_logits=False",
            )


def _from_logits(call: nodes.Call) -> Any:
    for kw in call.keywords or ():
        if kw.arg == "from_logits" and isinstance(kw.value, nodes.Const) and kw.value.value is True:
            return kw.value
    return None


def _output_activations(module: nodes.Module) -> set[str]:
    """Activations of the last layer of `Sequential([...])` models in the module."""
    found = set()
    for call in nodes_of(module, nodes.Call):
        if (call_name(call) or "").rsplit(".", 1)[-1] != "Sequential" or not call.args:
            continue
        layers = call.args[0]
        if isinstance(layers, (nodes.List, nodes.Tuple)) and layers.elts:
            activation = _keras_activation(layers.elts[-1])
            if activation:
                found.add(activation)
    return found


def _keras_activation(node: Any) -> str:
    """`Dense(10, activation="softmax")`, `Activation("softmax")`, `Softmax()`, `tf.nn.softmax(x)`."""
    if not isinstance(node, nodes.Call):
        return ""
    name = (call_name(node) or "").rsplit(".", 1)[-1]
    if name in ("softmax", "sigmoid"):
        return name
    if name in ("Softmax",):
        return "softmax"
    for kw in node.keywords or ():
        if kw.arg == "activation" and isinstance(kw.value, nodes.Const) and kw.value.value in ("softmax", "sigmoid"):
            return str(kw.value.value)
    if name == "Activation" and node.args and isinstance(node.args[0], nodes.Const) and node.args[0].value in ("softmax", "sigmoid"):
        return str(node.args[0].value)
    return ""


# -- PML004 ---------------------------------------------------------------------------

_INPLACE = frozenset(
    {
        "add_", "sub_", "mul_", "div_", "pow_", "sqrt_", "exp_", "log_", "abs_", "neg_", "clamp_", "clamp_min_",
        "clamp_max_", "zero_", "fill_", "copy_", "t_", "transpose_", "squeeze_", "unsqueeze_", "relu_", "sigmoid_",
        "tanh_", "addmm_", "addcmul_", "addcdiv_", "masked_fill_", "index_add_", "index_fill_", "scatter_",
        "scatter_add_", "normal_", "uniform_", "round_", "floor_", "ceil_", "sign_", "reciprocal_", "lerp_",
    }
)


def _inplace_assigned(call: nodes.Call, ctx: Any) -> None:
    func = call.func
    if not (isinstance(func, nodes.Attribute) and func.attrname in _INPLACE):
        return
    assign = call.parent
    if not (isinstance(assign, nodes.Assign) and assign.value is call and len(assign.targets) == 1):
        return
    target, receiver = assign.targets[0], func.expr
    if isinstance(target, nodes.AssignName) and isinstance(receiver, nodes.Name) and target.name == receiver.name:
        message = f"'{target.name} = {receiver.name}.{func.attrname}(...)' reads as if a new tensor were returned; {func.attrname} changes '{receiver.name}' in place"
    else:
        message = f"{func.attrname}() changes '{receiver.as_string()[:30]}' in place and returns it: '{target.as_string()[:30]}' and it are the same tensor"
    ctx.report(
        "PML004",
        call,
        message,
        fix=f"Use the out-of-place {func.attrname[:-1]}() to get a new tensor, or call {func.attrname}() as a statement",
    )



# -- PML005 ------------------------------------------------------------------------------

_LOOPS = (nodes.For, nodes.AsyncFor, nodes.While)
_OPTIMIZER_WORDS = frozenset({"optimizer", "optim", "opt"})


def missing_zero_grad(module: nodes.Module, ctx: Any) -> None:
    if not imports_module(module, "torch"):
        return
    for call in nodes_of(module, nodes.Call):
        if method_name(call) != "step" or not _optimizer(call.func.expr):
            continue
        loop = next((p for p in call.node_ancestors() if isinstance(p, _LOOPS) or p is call.scope()), None)
        if not isinstance(loop, _LOOPS):
            continue
        called = {method_name(c) for c in nodes_of(loop, nodes.Call)}
        if "backward" in called and "zero_grad" not in called:
            ctx.report(
                "PML005",
                call,
                f"{call.func.as_string()}() runs in a loop that calls backward() but never zero_grad(): "
                "each step uses the gradients of every earlier iteration too",
                fix="Call zero_grad() on the optimizer at the start of each iteration",
            )


def _optimizer(node: Any) -> bool:
    """A name or attribute that holds an optimizer: named so, or bound to a torch.optim class."""
    ident = last_identifier(node)
    if ident and words(ident) and words(ident)[-1] in _OPTIMIZER_WORDS:
        return True
    if isinstance(node, nodes.Name):
        for bound in bindings(node):
            value = bound.parent.value if isinstance(bound, nodes.AssignName) and isinstance(bound.parent, nodes.Assign) else None
            if isinstance(value, nodes.Call) and (call_name(value) or "").startswith("torch.optim."):
                return True
    return False


__all__ = ["missing_zero_grad", "ml_losses"]
