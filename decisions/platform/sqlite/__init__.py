"""Django's SQLite backend, with each statement's placeholders converted once per process
(settings name this package as the SQLite ENGINE; see base.py)."""
