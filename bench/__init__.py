"""Performance benchmarks of followup: the real ``python -m bot`` process against the fake Discord.

Every figure is printed next to a baseline measured in the same run (machines here are noisy), as
a ratio, plus the absolute values. ``python -m bench`` runs them all; ``python -m bench.latency``,
``bench.fanout`` and ``bench.memory`` run one each (``--help`` for sizes, ``--quick`` for a smoke
test).
"""
