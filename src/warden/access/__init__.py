"""Access: people, roles, sign-in and sessions, API keys. Below every stage that checks who acts."""
