"""What the two faces (the API under /v1 and the console) share: the session cookie, API keys in headers,
role checks, CSRF, and each domain error's HTTP status. No stage imports it."""
