"""Fixtures every test folder may use."""

from collections.abc import Iterator

import pytest
from botocore.client import BaseClient
from botocore.stub import Stubber

from tests.fakes.stubbed import stubbed


@pytest.fixture
def stub(client: BaseClient) -> Iterator[Stubber]:
    """A Stubber on the test module's ``client`` fixture; every response it was given must be used."""
    yield from stubbed(client)
