"""Graphviz, for the render stage: its C API in this process (library.py),
and the same in a small long-lived process of its own (process.py) for the
layouts that may run long or crash. app/render/layout.py chooses between them.

Nothing here imports torch or the rest of the app (but the standard-library
app.process_bounds): the layout process runs this package alone, in a fresh
interpreter.
"""
