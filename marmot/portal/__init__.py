"""The partner portal (``marmot portal``): partners sign in, upload a file to one of their datasets, see the
same checks ingest runs on it within seconds, and follow it to its receipt; the data team sees every partner.

``store`` (SQLite under ``$MARMOT_HOME/portal``), ``accounts`` (users, roles, API tokens), ``sessions`` (cookies,
CSRF, sign-in throttling), ``audit`` (append-only JSON lines), ``precheck`` (ingest's own checks in its reader
process, nothing archived or loaded), ``uploads`` (safe names, landing atomically, following the receipt),
``status`` (what each dataset owes and where its data is published), ``app`` (the FastAPI routes), ``templates/``.
"""
