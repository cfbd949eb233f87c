"""Figures for people: the dashboard and rule quality (precision of each rule from reviewed cases)."""
