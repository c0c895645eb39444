"""Nothing of sten i skoen is in the admin: cases are confidential and are read through the app's
pages, where every look by the coordinator is a row of the central audit log (AuditEntry)."""
