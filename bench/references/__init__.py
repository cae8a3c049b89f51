"""The references the benchmark measures us against, each a bare FastAPI app.

    dict_svg.py     a fixed 5 KB SVG from a dict: what an answer-cache hit could cost
    pipeline.py     the plain pipeline in one endpoint: torch forward and backward,
                    torchviz.make_dot, one long-lived `dot -Tsvg` (dot_process.py)
    naive.py        the same with graphviz.pipe, which spawns `dot` per request

The suite (bench/suite.py) starts each with uvicorn, with the flags
`python -m app serve` gives ours, so only the application differs.
"""
