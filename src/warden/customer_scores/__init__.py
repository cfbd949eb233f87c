"""Each customer's highest decision score, rolled up beside the decisions for the fund-flow graph (see rollup.py).

A step of its own after `decisions`: the decision hot path stores records and tells `RollupOnCommit` of them;
nothing in `decisions` reads the rollup.
"""
