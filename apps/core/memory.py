"""The objects a process makes at start-up, kept out of the garbage collector's way.

A web or worker process holds about 190,000 objects made when it loads the application (modules, models, URL
patterns, serializers, settings) that live as long as it does. Python's full collection (generation 2) walks every
one of them: about 70 ms on our 2-core machine, during which every thread of the process waits, so the request that
meets one takes 70 ms longer (the p99 spikes of `python -m bench search`). `gc.freeze()` moves the objects alive at
that moment into a permanent generation that collections skip; the Python documentation recommends it for servers
that fork workers, where it also keeps those pages shared copy-on-write. The cost is that frozen objects are never
collected, which is right for what a process loads once.
"""

import gc


def freeze_startup_objects() -> int:
    """Load what Django loads lazily on the first request (the URL configuration and every view it imports), free
    start-up's garbage, then freeze what remains. Returns how many objects are frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports the URLconf, the views, their serializers)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
