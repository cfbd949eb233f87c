"""On-chain facts: today the canonical form of an address (addresses.py), shared by rules and screening.
Next to move in: the on-chain graph, exposure, tracing and clustering (crypto-tracing research)."""
