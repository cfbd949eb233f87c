"""Governance. Moving in first: the model inventory (versions, metrics, training data, approvals before a version
serves), then drift and performance monitoring and EU AI Act / ISO/IEC 42001 evidence. API keys live in access/."""
