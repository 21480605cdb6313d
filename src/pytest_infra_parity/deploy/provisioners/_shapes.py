"""Value helpers every provisioner family shares; none of them reads anything from the target.

* CloudFormation's loose scalars (``"80"`` for an integer, ``"true"`` for a boolean: a ``Ref`` to a
  ``Number`` parameter is a string) as the types botocore wants: :func:`as_bool`, :func:`as_int`,
  :func:`coerce` / :func:`coerced` / :func:`api_call` for a whole operation input;
* a declared (nested) structure against what the target answers: :func:`subset_differences`,
  :func:`sorted_lists`, :func:`dig`;
* JSON documents given as a mapping or as their text, and policy documents compared the way the
  services rewrite them: :func:`json_document`, :func:`json_text`, :func:`policy_differences`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from pytest_infra_parity.deploy.provisioners.base import differs

# --------------------------------------------------------------------------- scalars


def as_bool(value: Any) -> bool:
    """A CloudFormation boolean (``True`` or ``"true"``, which intrinsic resolution may leave) as a bool."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


def bool_text(value: Any) -> str:
    """A CloudFormation boolean as the ``"true"`` / ``"false"`` text that attribute maps (SNS, SQS) take."""
    return "true" if as_bool(value) else "false"


def as_int(value: Any) -> int:
    """A CloudFormation integer, which may arrive as a string (or as a whole float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return int(str(value).strip())


def as_kind(value: Any, kind: str) -> Any:
    """``value`` as one of the kinds ``int``, ``float``, ``bool`` or ``list``; any other kind as given."""
    if kind == "int":
        return as_int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return as_bool(value)
    if kind == "list":
        return list(value)
    return value


# --------------------------------------------------------------------------- botocore shapes


def api_call(client: Any, method: str, **params: Any) -> Any:
    """Call ``client.<method>`` with ``None`` params dropped and scalars coerced to the input shapes."""
    return getattr(client, method)(**coerced(client, method, params))


def coerced(client: Any, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` (``None`` dropped) coerced to the input shape of ``client.<method>``."""
    operation = client.meta.method_to_api_mapping[method]
    shape = client.meta.service_model.operation_model(operation).input_shape
    return dict(coerce(shape, {key: value for key, value in params.items() if value is not None}))


def coerce(shape: Any, value: Any) -> Any:
    """``value`` with every scalar converted to the botocore ``shape`` it is sent as (``None`` dropped)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        return {
            key: coerce(shape.members[key], item) if key in shape.members else item
            for key, item in value.items()
            if item is not None
        }
    if kind == "list" and isinstance(value, list):
        return [coerce(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {str(key): coerce(shape.value, item) for key, item in value.items()}
    return _scalar(kind, value)


def _scalar(kind: str, value: Any) -> Any:
    if kind in ("integer", "long") and isinstance(value, str | float) and not isinstance(value, bool):
        number = float(value) if _is_number(value) else None
        return int(number) if number is not None and number.is_integer() else value
    if kind in ("double", "float") and isinstance(value, str | int) and not isinstance(value, bool):
        return float(value) if _is_number(value) else value
    if kind == "boolean" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    return value


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- declared vs live


def subset_differences(name: str, declared: Any, live: Any) -> list[str]:
    """One line per declared (nested) value the live one lacks or holds differently.

    Extra live keys are ignored (the target adds defaults), and so are declared ``None`` values and
    declared empty lists the target leaves out (a declared empty mapping, such as WAF's ``Allow: {}``,
    counts); lists are compared item by item in order;
    a leaf is read the lenient way CloudFormation reads it (``"true"`` is ``True``, ``"5"`` is ``5``).
    """
    if isinstance(declared, Mapping):
        if not isinstance(live, Mapping):
            return [f"{name} is {live!r}, declared {dict(declared)!r}"]
        problems: list[str] = []
        for key, value in declared.items():
            path = f"{name}.{key}" if name else str(key)
            if value is None or (value == [] and live.get(key) in (None, [], {})):
                continue
            if live.get(key) is None:
                problems.append(f"{path} is missing (declared {value!r})")
            else:
                problems.extend(subset_differences(path, value, live[key]))
        return problems
    if isinstance(declared, list):
        if not isinstance(live, list) or len(live) != len(declared):
            return [f"{name} is {live!r}, declared {declared!r}"]
        problems = []
        for index, (want, got) in enumerate(zip(declared, live, strict=True)):
            problems.extend(subset_differences(f"{name}[{index}]", want, got))
        return problems
    if isinstance(live, bool) or isinstance(declared, bool):
        return [] if as_bool(declared) == as_bool(live) else differs(name, declared, live)
    if isinstance(live, int | float) and not isinstance(declared, int | float):
        with contextlib.suppress(TypeError, ValueError):
            declared = type(live)(declared)
    return differs(name, declared, live)


def sorted_lists(value: Any, item_keys: tuple[str, ...] = ()) -> Any:
    """``value`` with every list of scalars sorted (the API may answer them in another order).

    A list of mappings that all hold one of ``item_keys`` becomes a mapping keyed by that field's value
    (CloudFront's origins by ``Id``, behaviors by ``PathPattern``...), so its order does not count either.
    """
    if isinstance(value, Mapping):
        return {key: sorted_lists(item, item_keys) for key, item in value.items()}
    if not isinstance(value, list):
        return value
    items = [sorted_lists(item, item_keys) for item in value]
    if items and all(isinstance(item, Mapping) for item in items):
        for key in item_keys:
            if all(key in item for item in items):
                return {str(item[key]): item for item in items}
    return sorted(items, key=str) if all(not isinstance(i, Mapping | list) for i in items) else items


ABSENT: Any = object()
"""What :func:`dig` answers for a path the document does not hold."""


def dig(document: Any, path: str, default: Any = ABSENT) -> Any:
    """The value at ``path`` (``A.B`` or ``A[].B``) in a described document, or ``default``."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(document, Mapping) or key not in document:
        return default
    if head.endswith("[]"):
        return [dig(item, rest, default) if rest else item for item in document[key]]
    return dig(document[key], rest, default) if rest else document[key]


# --------------------------------------------------------------------------- JSON and policy documents


def json_document(value: Any) -> Any:
    """A JSON document (policy, event pattern...) given as a mapping or as its JSON text, as a structure."""
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value


def json_text(value: Any) -> str:
    """A JSON document given as a mapping or as its JSON text, as JSON text."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def canonical_policy(value: Any) -> Any:
    """A form of a policy document that ignores what services rewrite: one-element lists, list
    order of plain strings, scalar types (``5`` vs ``"5"``)."""
    if isinstance(value, dict):
        return {str(k): canonical_policy(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) == 1:
            return canonical_policy(value[0])
        items = [canonical_policy(v) for v in value]
        if all(isinstance(v, str) for v in items):
            return sorted(items)
        return items
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return None
    return str(value)


def policy_differences(name: str, declared: Any, live: Any) -> list[str]:
    """``[]`` when the live policy document says the same as the declared one."""
    if live is None or live == "":
        return [f"{name} is not set, declared {json_text(declared)}"]
    declared_doc, live_doc = json_document(declared), json_document(live)
    if isinstance(declared_doc, dict) and isinstance(live_doc, dict) and "Version" not in declared_doc:
        # the version IAM writes add for moto (see iam.write_document) is not a difference
        live_doc = {k: v for k, v in live_doc.items() if not (k == "Version" and v == "2012-10-17")}
    if canonical_policy(declared_doc) == canonical_policy(live_doc):
        return []
    return [f"{name} is {json_text(live_doc)}, declared {json_text(declared_doc)}"]
