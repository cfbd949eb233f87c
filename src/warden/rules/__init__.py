"""The rule language: YAML rulesets, conditions parsed with `ast` into a typed AST (never eval), compiled
twice — to closures for one event at a time and to Polars expressions for backtests — and the outcome ladder.

    ruleset = load_ruleset(starter_pack_path())
    verdict = ruleset.verdict_for(event, features)    # strongest outcome, reasons, hits with explanations
    hits = evaluate_frame(ruleset, frame)            # one boolean column per rule
"""

from warden.rules.errors import Problem, RulesetError
from warden.rules.frame import OutcomeDiff, diff_outcomes, evaluate_frame, outcome_columns
from warden.rules.loader import load_ruleset, starter_pack_path
from warden.rules.outcome import Outcome, strongest
from warden.rules.ruleset import ENGINE_VERSION, Rule, RuleHit, Ruleset, Verdict

__all__ = [
    "ENGINE_VERSION",
    "Outcome",
    "OutcomeDiff",
    "Problem",
    "Rule",
    "RuleHit",
    "Ruleset",
    "RulesetError",
    "Verdict",
    "diff_outcomes",
    "evaluate_frame",
    "load_ruleset",
    "outcome_columns",
    "starter_pack_path",
    "strongest",
]
