"""Image programs: what the local cloud's images run inside an instance.

An image (``gitterra.cloud.meta.IMAGES``) is a kind of instance: ``static-site`` runs the
instance's boot script, then :mod:`gitterra.cloud.images.static_site` on the instance's address;
``process`` runs the boot script as the instance's main program and adds nothing. Image programs
are ordinary programs (``python -m gitterra.cloud.images.static_site``): they know nothing of the
control plane, take their address and directory as arguments, and stop gracefully on SIGTERM.

Rules: nothing here imports the rest of the cloud (an instance must start fast and small), and
this ``__init__`` imports no program (each pulls in its own server libraries when it runs).
"""

__all__: list[str] = []
