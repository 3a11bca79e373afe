"""Generated from openapi.yaml, the bottom layer: it imports nothing else of this package.
A client library for accessing OpenAI Organization Usage and Costs API (as the live API sends it).
"""

# Project change: the stock package init imports the generated ``client.py`` (and with it
# ``attrs``), so loading any model paid for a client the facade never uses. Nothing is
# imported here; see templates/README.md for what is generated and why.
