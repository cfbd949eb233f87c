"""Screening: sanctions and PEP names, crypto addresses, with graded and explained matches.

Domain code only; the CLI, API and console call `Screener` (warden.screening.screener).
"""
