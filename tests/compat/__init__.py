import pytest

# compare.py holds the suite's assertions; rewritten, they show the diff of the two outputs.
pytest.register_assert_rewrite("tests.compat.compare")
