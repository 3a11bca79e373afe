"""``python -m openai_usage_client``: the ``openai-usage`` command."""

from ._cli import run

if __name__ == "__main__":
    run()
