"""What the API and the console share: error answers (and, after the refactor of issue 12, sessions and roles)."""
