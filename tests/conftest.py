"""Hypothesis runs derandomized by default, so CI is reproducible: the same examples every run. Explore new ones
with `pytest --hypothesis-profile=explore` (random draws; a failure prints the example to add as a regression)."""
from hypothesis import settings

settings.register_profile('ci', derandomize=True)
settings.register_profile('explore', derandomize=False)
settings.load_profile('ci')
