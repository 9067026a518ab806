"""Browser tests (everything in this folder is marked `e2e`): run them with the rest (`make test`) or alone
(`make test ARGS="-m e2e"`). The fixtures (`page`, `phone`, `another_page`, `browser`) live in e2e/browser.py, a
plugin of the root conftest; `shot` and `sign_in` are imported from here by the tests.
"""

from pathlib import Path

import pytest

from e2e.browser import SCREENSHOTS, shot, sign_in

__all__ = ["SCREENSHOTS", "shot", "sign_in"]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)
