"""Side-by-side benchmarks of autodiff against PyTorch, micrograd, HIPS autograd, MyGrad and NumPy.

Run `python -m benchmarks.run --help`; `benchmarks/README.md` explains the
workloads and the method and keeps the latest results.
"""
