"""Identity verification (issue 16). Moving in first: MRZ parsing and check digits, document checks, the
verification session and its API; then faces, liveness and synthetic-identity rings."""
