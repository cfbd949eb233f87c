"""Liveness: server-issued challenges, the embeddable capture page, and server-side verification."""
