"""Runnable examples of the nn package; start with `python -m nn.examples.housing`."""
