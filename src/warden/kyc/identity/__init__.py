"""Entity resolution over KYC submissions: an identity graph and the rings (synthetic identities) in it."""
