"""Graphviz, for the render stage: its C API in this process (library.py),
and the same in a small long-lived process of its own (process.py) for the
layouts that may run long or crash. app/render/layout.py chooses between them.

Nothing here imports the rest of the app or torch: the layout process runs
this package alone, in a fresh interpreter.
"""
