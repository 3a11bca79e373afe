"""One module per command; each exposes a click command (registered in ``_cli/_app.py``)."""
