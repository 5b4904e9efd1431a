"""The computations that the suites time, each written once per system, side by side.

Every module builds the same inputs for each system and returns
`compare.Implementation` objects, so that the harness can check that the
systems agree before it times them.
"""
