"""Speed helpers that change nothing in what is computed."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a step builds hundreds of thousands of
    small objects that all stay alive (the offer model's 600,000 budget lines): each full
    collection would walk every one of them again, about a third of the model's time. Memory
    is unchanged (nothing here is garbage until the step ends); the collector runs again after.
    What the step built is then moved to the oldest generation (``gc.freeze``/``unfreeze``):
    otherwise the first collection after would walk all of it as new objects."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
