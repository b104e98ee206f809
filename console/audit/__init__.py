"""The audit's pages and services over runs: who may see a run (access.py), the run page
and its live view (views.py), re-running a run as the person who asks (rerun.py),
comparing two runs' output (diff.py), the audit log: its filters (filters.py), page and
Events tab (log.py) and CSV/JSON-lines export (export.py), and the trail that proves the
log was not edited: signed checkpoints (checkpoints.py), verification and its periodic run
(verification.py), the export and its offline check (trail.py). What a run records is
console/runs; the hash chain of events is console/runs/audit.py and chain.py (it stays
there while other work adds event names). See docs/audit.md."""
