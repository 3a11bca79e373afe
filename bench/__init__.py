"""The benchmark suite of ``openai-usage-client``: ``python -m bench`` (or ``make bench``).

Every figure is a ratio against a baseline measured in the same run (several rounds,
medians), so the numbers mean the same on a laptop and on CI. All traffic goes to the offline
fake on 127.0.0.1. ``python -m bench P1 P3`` runs a subset; ``--quick`` runs fewer rounds.
The suite writes ``BENCHMARKS.md`` at the root of the repository.
"""
