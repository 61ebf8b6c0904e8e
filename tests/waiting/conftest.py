import pytest


@pytest.fixture
def open_department(department, make_staff):
    """`department` with one available staff member, so knocks are taken; a test that also
    asks for `clerk` has a second one to admit and decline with."""
    make_staff(department)
    return department
