"""The append-only, hash-chained audit log."""

from warden.audit.log import AuditRecord, VerifyResult, append_audit, verify_chain

__all__ = ["AuditRecord", "VerifyResult", "append_audit", "verify_chain"]
