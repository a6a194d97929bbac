"""Talking to a Coder deployment: the only package that makes HTTP requests.

``client`` is the async httpx client, ``errors`` the typed failures it raises, ``models``
the workspace/user objects it returns and ``cache`` the per-deployment template cache.
"""
