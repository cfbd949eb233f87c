"""Ruleset errors: every problem of a ruleset, each with its rule id and position in the YAML file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    line: int | None = None  # 1-based line in the YAML file
    column: int | None = None  # 1-based column
    rule_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
        prefix = f"{where}: " if self.line is not None else ""
        rule = f"rule {self.rule_id}: " if self.rule_id else ""
        return f"{prefix}{rule}{self.message}"


class RulesetError(ValueError):
    """The ruleset is refused whole; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem], source: str = "<ruleset>") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(f"{source}:{p}" for p in problems))


class ExpressionError(ValueError):
    """One problem in one condition; the loader turns it into a Problem with the file position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based line within the condition text
        self.column = column  # 0-based column within that line
