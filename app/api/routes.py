"""Every router of the app, in one list."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import (
    docs,
    evaluate,
    examples,
    figures,
    graph,
    health,
    optimize,
    pages,
    problem_types,
)

router = APIRouter()
router.include_router(evaluate.router)
router.include_router(graph.router)
router.include_router(figures.router)
router.include_router(optimize.router)
router.include_router(examples.router)
router.include_router(health.router)
router.include_router(docs.router)
router.include_router(pages.router)
router.include_router(problem_types.router)
