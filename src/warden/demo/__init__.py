"""The demo: simulate an exchange, run every capability over it in flow order (steps.py), work part of its backlog."""
