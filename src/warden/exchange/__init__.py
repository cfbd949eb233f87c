"""The exchange's own facts (given and learnt), its calibration and the whole-loop evaluation."""
