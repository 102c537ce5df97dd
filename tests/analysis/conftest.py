import pytest

from analysis.nlp import Pipeline, build_pipeline


@pytest.fixture(scope="session")
def blank_pipeline() -> Pipeline:
    """The pipeline a machine without the trained model gets: quick and deterministic."""
    return build_pipeline("full", use_trained=False)
