"""Dependency order of a template's resources: what each one references, created first, deleted last.

Order is topological and stable: among resources that do not depend on each other, template order.
A reference inside a ``Fn::If`` branch to a resource whose condition is false is not a dependency
(the branch that names it is not taken); anywhere else it is an error naming both resources.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from typing import Any

from pytest_infra_parity.deploy.template import ResourceDecl, Template

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def sub_variables(text: str) -> list[str]:
    """The variable names of a ``Fn::Sub`` string (``${!Literal}`` excluded)."""
    return [m.strip() for m in SUB_VARIABLE.findall(text) if not m.startswith("!")]


def dependency_split(
    value: Any, template: Template | None = None, *, condition: Callable[[str], bool] | None = None
) -> tuple[set[str], set[str]]:
    """(references always taken, references only inside a ``Fn::If`` branch) of a value.

    With ``condition``, only the branch a ``Fn::If`` takes is read and every reference is "always".
    """
    hard: set[str] = set()
    soft: set[str] = set()

    def add(name: Any, conditional: bool) -> None:
        if not isinstance(name, str) or name.startswith("AWS::"):
            return
        if template is not None and name in template.parameters:
            return
        (soft if conditional else hard).add(name)

    def visit(node: Any, conditional: bool) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, conditional)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:
            ((fn, args),) = node.items()
            if fn == "Ref":
                add(args, conditional)
                return
            if fn == "Fn::GetAtt":
                parts = args.split(".", 1) if isinstance(args, str) else args
                if isinstance(parts, list) and parts:
                    add(parts[0], conditional)
                    visit(parts[1:], conditional)
                return
            if fn == "Fn::Sub" and (isinstance(args, str) or (isinstance(args, list) and len(args) == 2)):
                text, variables = (args, {}) if isinstance(args, str) else args
                variables = variables if isinstance(variables, dict) else {}
                for name in sub_variables(text) if isinstance(text, str) else []:
                    if name not in variables:
                        add(name.split(".", 1)[0], conditional)
                visit(list(variables.values()), conditional)
                return
            if fn == "Fn::If" and isinstance(args, list) and len(args) == 3:
                if condition is not None and isinstance(args[0], str):
                    visit(args[1] if condition(args[0]) else args[2], conditional)
                else:
                    visit(args[1:], True)
                return
        for item in node.values():
            visit(item, conditional)

    visit(value, False)
    return hard, soft - hard


def references(value: Any, template: Template | None = None) -> set[str]:
    """Logical ids a value references through Ref, Fn::GetAtt and Fn::Sub (pseudo parameters excluded;
    with the template, its parameters too)."""
    hard, soft = dependency_split(value, template)
    return hard | soft


def resource_dependencies(decl: ResourceDecl, template: Template) -> set[str]:
    """Every logical id a resource needs first: its references (properties, UpdatePolicy) and DependsOn."""
    return references([decl.properties, decl.update_policy], template) | set(decl.depends_on)


def _dependencies(
    template: Template, enabled: set[str], condition: Callable[[str], bool] | None
) -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for lid, decl in template.resources.items():
        if lid not in enabled:
            continue
        hard, soft = dependency_split([decl.properties, decl.update_policy], template, condition=condition)
        hard |= set(decl.depends_on)
        for name in sorted(hard | soft):
            target = template.resources.get(name)
            if target is None:
                how = "DependsOn" if name in decl.depends_on else "references"
                message = f"{lid} {how} {name!r}, which is not a resource of the template"
                raise template.error(message, logical_id=lid)
            if name not in enabled and name in hard:
                why = f"condition {target.condition} is false"
                message = f"{lid} references {name}, which is not created ({why})"
                raise template.error(message, logical_id=lid)
        deps[lid] = {name for name in hard | soft if name in enabled}
    return deps


def creation_order(
    template: Template, enabled: Iterable[str], *, condition: Callable[[str], bool] | None = None
) -> list[str]:
    """Enabled resources in an order that creates each one after everything it needs.

    ``condition`` (e.g. :meth:`Resolver.condition`) lets ``Fn::If`` count only the branch it takes.
    """
    enabled_set = set(enabled) & set(template.resources)
    deps = _dependencies(template, enabled_set, condition)
    position = {lid: i for i, lid in enumerate(template.resources)}
    waiting = {lid: len(needs) for lid, needs in deps.items()}
    dependents: dict[str, list[str]] = {lid: [] for lid in deps}
    for lid, needs in deps.items():
        for need in needs:
            dependents[need].append(lid)
    ready = [(position[lid], lid) for lid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, lid = heapq.heappop(ready)
        order.append(lid)
        for dependent in dependents[lid]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (position[dependent], dependent))
    if len(order) < len(deps):
        cycle = _find_cycle({lid: deps[lid] for lid in deps if waiting[lid] > 0}, position)
        raise template.error(f"circular dependency: {' -> '.join(cycle)}", logical_id=cycle[0])
    return order


def deletion_order(
    template: Template, enabled: Iterable[str], *, condition: Callable[[str], bool] | None = None
) -> list[str]:
    """The reverse of :func:`creation_order`: each resource deleted before what it needs."""
    return list(reversed(creation_order(template, enabled, condition=condition)))


def _find_cycle(deps: dict[str, set[str]], position: dict[str, int]) -> list[str]:
    """One cycle among resources that all wait on each other, as ``[a, b, ..., a]``."""
    start = min(deps, key=position.__getitem__)
    path = [start]
    seen = {start: 0}
    while True:
        needs = sorted((n for n in deps[path[-1]] if n in deps), key=position.__getitem__)
        nxt = needs[0]
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)
