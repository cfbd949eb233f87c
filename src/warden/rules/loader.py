"""Load a ruleset from YAML: check every rule, report every problem with rule id, line and column.

```yaml
name: starter
version: "2026.11.1"
lists: {high_risk_countries: [KP, IR]}     # optional; callers may add or replace lists
rules:
  - id: large_withdrawal_new_address
    version: 1
    description: ...
    event_types: [withdrawal]
    condition: amount_usd >= 10000 and is_new_address
    outcome: hold                           # allow | challenge | review | hold | block | freeze
    score: 40
    reason: "{amount_usd} USD to an address added {address_age_hours} h ago"
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from warden.rules.compiler import compile_condition
from warden.rules.errors import ExpressionError, Problem, RulesetError
from warden.rules.fields import EVENT_TYPES, FIELDS
from warden.rules.lists import default_lists, merge_lists
from warden.rules.outcome import Outcome
from warden.rules.ruleset import Rule, Ruleset
from warden.rules.template import ReasonTemplate

RULE_KEYS = {"id", "version", "description", "event_types", "condition", "outcome", "score", "reason", "tags"}
REQUIRED = ("id", "condition", "outcome", "event_types", "reason")
NUMERIC_FIELDS = frozenset(name for name, spec in FIELDS.items() if spec.kind == "num")
PACKS_DIR = Path(__file__).resolve().parent / "packs"


def starter_pack_path() -> Path:
    return PACKS_DIR / "starter.yaml"


def load_ruleset(
    source: str | Path,
    *,
    lists: Mapping[str, Iterable[str]] | None = None,
    with_default_lists: bool = True,
) -> Ruleset:
    """A Ruleset from a YAML file path or YAML text; RulesetError lists every problem found.

    Named lists come from Warden's defaults (the OFAC addresses), then the file's `lists:`, then `lists`.
    """
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        try:
            text = path.read_text()
        except OSError as exc:
            raise RulesetError([Problem(f"cannot read: {exc.strerror}")], str(path)) from None
        origin = str(path)
    else:
        text, origin = str(source), "<ruleset>"
    return _Loader(text, origin, lists, with_default_lists).load()


class _Loader:
    def __init__(
        self, text: str, origin: str, lists: Mapping[str, Iterable[str]] | None, with_default_lists: bool
    ) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.origin = origin
        self.extra_lists = lists
        self.with_default_lists = with_default_lists
        self.problems: list[Problem] = []

    def problem(self, message: str, node: yaml.Node | None = None, rule_id: str | None = None) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        column = node.start_mark.column + 1 if node is not None else None
        self.problems.append(Problem(message, line, column, rule_id))

    def load(self) -> Ruleset:
        try:
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else None
            column = mark.column + 1 if mark else None
            raise RulesetError(
                [Problem(f"invalid YAML: {getattr(exc, 'problem', exc)}", line, column)], self.origin
            ) from None
        if not isinstance(root, yaml.MappingNode):
            raise RulesetError([Problem("a ruleset is a mapping with name, version and rules", 1, 1)], self.origin)
        top = _mapping(root)
        name = self.scalar(top, "name", root, required=True) or "unnamed"
        version = self.scalar(top, "version", root, required=True) or "0"
        description = self.scalar(top, "description", root) or ""
        file_lists = self.file_lists(top.get("lists"))
        lists = merge_lists(default_lists() if self.with_default_lists else None, file_lists, self.extra_lists)
        rules_node = top.get("rules")
        rules: list[Rule] = []
        if not isinstance(rules_node, yaml.SequenceNode) or not rules_node.value:
            self.problem("`rules` must be a non-empty list", rules_node or root)
        else:
            seen: set[str] = set()
            for item in rules_node.value:
                rule = self.rule(item, lists)
                if rule is not None and rule.id in seen:
                    self.problem(f"duplicate rule id {rule.id!r}", item, rule.id)
                elif rule is not None:
                    seen.add(rule.id)
                    rules.append(rule)
        model_policy = self.model_policy(top.get("model_policy"))
        if self.problems:
            raise RulesetError(self.problems, self.origin)
        return Ruleset(
            name=name, version=version, description=description, rules=rules, lists=lists, model_policy=model_policy
        )

    def model_policy(self, node: yaml.Node | None) -> dict[str, float]:
        """`model_policy: {hold: 0.9, review: 0.6}`: the model score at which each outcome starts."""
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem("`model_policy` maps outcomes to score thresholds in [0, 1]", node)
            return {}
        policy: dict[str, float] = {}
        for key_node, value_node in node.value:
            try:
                outcome = Outcome.parse(str(key_node.value))
                threshold = float(value_node.value)
            except (ValueError, TypeError) as exc:
                self.problem(f"model_policy: {exc}", key_node)
                continue
            if not 0.0 <= threshold <= 1.0:
                self.problem(f"model_policy: threshold {threshold} is outside [0, 1]", value_node)
                continue
            policy[outcome.label] = threshold
        return policy

    def scalar(self, mapping: dict[str, yaml.Node], key: str, parent: yaml.Node, required: bool = False) -> str | None:
        node = mapping.get(key)
        if node is None:
            if required:
                self.problem(f"missing `{key}`", parent)
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(f"`{key}` must be a single value", node)
            return None
        return str(node.value)

    def file_lists(self, node: yaml.Node | None) -> dict[str, list[str]]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem("`lists` maps names to lists of strings", node)
            return {}
        out: dict[str, list[str]] = {}
        for key_node, value_node in node.value:
            if not isinstance(value_node, yaml.SequenceNode) or not all(
                isinstance(v, yaml.ScalarNode) for v in value_node.value
            ):
                self.problem(f"list {key_node.value!r} must be a list of strings", value_node)
                continue
            out[str(key_node.value)] = [str(v.value) for v in value_node.value]
        return out

    def rule(self, item: yaml.Node, lists: dict[str, frozenset[str]]) -> Rule | None:
        if not isinstance(item, yaml.MappingNode):
            self.problem("each rule is a mapping", item)
            return None
        fields = _mapping(item)
        rule_id = self.scalar(fields, "id", item, required=True)
        before = len(self.problems)
        for key in fields:
            if key not in RULE_KEYS:
                self.problem(f"unknown key {key!r} (allowed: {', '.join(sorted(RULE_KEYS))})", fields[key], rule_id)
        for key in REQUIRED:
            if key != "id" and key not in fields:
                self.problem(f"missing `{key}`", item, rule_id)
        version = self.integer(fields.get("version"), rule_id, default=1)
        score = self.number(fields.get("score"), rule_id)
        outcome = self.outcome(fields.get("outcome"), rule_id)
        event_types = self.event_types(fields.get("event_types"), rule_id)
        condition_node = fields.get("condition")
        condition = self.condition(condition_node, lists, rule_id) if condition_node is not None else None
        reason = self.reason(fields.get("reason"), rule_id)
        tags = self.string_list(fields.get("tags"), rule_id)
        if len(self.problems) > before or rule_id is None or condition is None or outcome is None or reason is None:
            return None
        assert isinstance(condition_node, yaml.ScalarNode)
        return Rule(
            id=rule_id,
            version=version,
            description=self.scalar(fields, "description", item) or "",
            event_types=frozenset(event_types),
            condition_text=str(condition_node.value),
            condition=condition,
            outcome=outcome,
            score=score,
            reason=reason,
            tags=tuple(tags),
            line=item.start_mark.line + 1,
        )

    def integer(self, node: yaml.Node | None, rule_id: str | None, default: int) -> int:
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.value.isdigit():
            return int(node.value)
        self.problem("`version` must be a whole number", node, rule_id)
        return default

    def number(self, node: yaml.Node | None, rule_id: str | None) -> float:
        if node is None:
            return 0.0
        try:
            return float(node.value) if isinstance(node, yaml.ScalarNode) else float("x")
        except ValueError:
            self.problem("`score` must be a number", node, rule_id)
            return 0.0

    def outcome(self, node: yaml.Node | None, rule_id: str | None) -> Outcome | None:
        if node is None:
            return None
        try:
            return Outcome.parse(str(node.value))
        except ValueError as exc:
            self.problem(str(exc), node, rule_id)
            return None

    def string_list(self, node: yaml.Node | None, rule_id: str | None) -> list[str]:
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            return [str(node.value)]
        if isinstance(node, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in node.value):
            return [str(v.value) for v in node.value]
        self.problem("expected a list of strings", node, rule_id)
        return []

    def event_types(self, node: yaml.Node | None, rule_id: str | None) -> list[str]:
        types = self.string_list(node, rule_id)
        for event_type in types:
            if event_type not in EVENT_TYPES:
                known = ", ".join(sorted(EVENT_TYPES))
                self.problem(f"unknown event type {event_type!r} (known: {known})", node, rule_id)
        if node is not None and not types:
            self.problem("`event_types` must name at least one event type", node, rule_id)
        return types

    def condition(self, node: yaml.Node, lists: dict[str, frozenset[str]], rule_id: str | None) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problem("`condition` must be an expression string", node, rule_id)
            return None
        try:
            return compile_condition(str(node.value), lists)
        except ExpressionError as exc:
            line, column = self.position(node, exc.line, exc.column)
            self.problems.append(Problem(exc.message, line, column, rule_id))
            return None

    def position(self, node: yaml.ScalarNode, line: int, column: int) -> tuple[int, int]:
        """Map a position inside the condition text to the YAML file (1-based line and column)."""
        mark = node.start_mark
        if node.style in ("|", ">"):
            file_line = mark.line + 1 + line  # block scalars start on the line after the indicator
            raw = self.lines[file_line - 1] if file_line - 1 < len(self.lines) else ""
            indent = len(raw) - len(raw.lstrip(" "))
            return file_line, indent + column + 1
        quote = 1 if node.style in ("'", '"') else 0
        return mark.line + line, (mark.column + quote + column + 1 if line == 1 else column + 1)

    def reason(self, node: yaml.Node | None, rule_id: str | None) -> ReasonTemplate | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem("`reason` must be a string", node, rule_id)
            return None
        try:
            template = ReasonTemplate.parse(str(node.value), NUMERIC_FIELDS)
        except ValueError as exc:
            self.problem(f"reason: {exc}", node, rule_id)
            return None
        unknown = [f for f in template.fields if f not in FIELDS]
        for name in unknown:
            self.problem(f"reason quotes unknown field {name!r}", node, rule_id)
        return None if unknown else template


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {str(k.value): v for k, v in node.value}
