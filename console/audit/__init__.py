"""The audit's pages and services over runs: who may see a run (access.py), the run page
and its live view (views.py), re-running a run as the person who asks (rerun.py),
comparing two runs' output (diff.py), and the audit log: its filters (filters.py), page
and Events tab (log.py) and CSV/JSON-lines export (export.py). What a run records is
console/runs; the hash chain of events is console/runs/audit.py (it stays there while
other work adds event names). See docs/audit.md."""
