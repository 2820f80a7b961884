"""gunicorn.conf.py's worker hook, called as gunicorn calls it."""

import gc
import runpy

from tests.helpers import ROOT


def test_a_started_worker_puts_what_it_loaded_out_of_the_collectors_reach():
    """post_worker_init freezes the objects loaded at start-up, so a full collection walks only
    what requests allocate (docs/performance.md)."""
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
