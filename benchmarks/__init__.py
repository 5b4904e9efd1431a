"""Side-by-side benchmarks of autodiff against PyTorch, micrograd, HIPS autograd and NumPy.

Run `python -m benchmarks.run --help`; `benchmarks/README.md` explains the
suites and keeps the latest results.
"""
