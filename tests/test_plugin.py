# -*- coding: utf-8 -*-
"""The pytest plugin (pytest_smsc.py): the smsc_gateway fixture as users' suites get it, installed (the entry point
pytest11) or copied (pytest_plugins = ["pytest_smsc"] in their conftest.py), and what it holds for a test
(docs/sandbox.md, "In your pytest suite"). What the gateway does: test_sandbox.py; its HTTPS under the fixture:
test_sandbox_https.py; what it isolates: test_sandbox_isolation.py; outages: test_sandbox_outages.py.
"""
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

import smsc_sandbox
from helpers import HTTP_VERSION, ROOT, environment


# 1. The fixture in a test of this suite, as users write theirs

def test_the_fixture_with_an_unmodified_call(smsc_gateway, monkeypatch):
    import smsc_api
    monkeypatch.setenv("http_proxy", "http://proxy.invalid:3128")  # bypassed for the SMSC hosts
    # the upgrade trap: SMSC_LOGIN and SMSC_PASSWORD left empty send apikey= with nothing, error 2 at the gateway
    assert smsc_api.SMSC().send_sms("79999999999", "Your code: 1234") == ["0", "-2"]
    assert smsc_gateway.requests[0].request_line == (
        b"GET /sys/send.php?apikey=&fmt=1&charset=utf-8&cost=3&phones=79999999999&mes=Your%20code%3A%201234"
        b"&translit=0&id=0 " + HTTP_VERSION)
    monkeypatch.setattr(smsc_api, "SMSC_PASSWORD", "KEY")
    assert smsc_api.SMSC().send_sms("79999999999", "Your code: 1234") == ["1", "1", "2.50", "97.50"]
    assert smsc_gateway.messages[0]["message"] == "Your code: 1234"
    assert smsc_gateway.balance == Decimal("97.50")
    # HTTPS (port 443) goes to the same gateway, refused only where no certificate can be made (as before 2.1)
    assert smsc_api.SMSC(https=True).get_balance() == ("97.50" if smsc_gateway.https is not None else False)
    assert smsc_gateway.intercept().smsc_only is True


def test_the_fixture_keeps_everything_of_its_test(smsc_gateway):
    assert (smsc_gateway.max_records, smsc_gateway.max_record_bytes) == (None, None)
    defaults = smsc_sandbox.Gateway()
    assert (defaults.max_records, defaults.max_record_bytes, defaults.max_request_size, defaults.max_connections,
            defaults.request_timeout) == (1000, 100 << 20, 10 << 20, 100, 10)


# 2. A user's suite: the plugin installed or copied

USER_CONFTEST = u'pytest_plugins = ["pytest_smsc"]\n'
USER_TEST = u'''# -*- coding: utf-8 -*-
import smsc_api


def signup(phone):  # the application: smsc_api as it is used (credentials from its settings)
    return smsc_api.SMSC("shop", "password").send_sms(phone, u"Ваш код: 1234", sender="shop")


def test_signup_sends_the_code(smsc_gateway):
    assert signup("+7 999 999-99-99") == ["1", "1", "2.50", "97.50"]
    assert [(m["phones"], m["message"]) for m in smsc_gateway.messages] == [(["79999999999"], u"Ваш код: 1234")]


def test_no_money(smsc_gateway):
    smsc_gateway.balance = 0
    assert signup("79999999999") == ["0", "-3"]
'''


def run_user_suite(tmpdir, conftest, env):
    """pytest over USER_TEST (and conftest.py, unless None) in tmpdir: its exit code and output."""
    if conftest is not None:
        tmpdir.join("conftest.py").write_text(conftest, "utf-8")
    tmpdir.join("test_app.py").write_text(USER_TEST, "utf-8")
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
                                str(tmpdir)], cwd=str(tmpdir), env=dict(env, PYTHONDONTWRITEBYTECODE="1"),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = process.communicate()[0].decode("utf-8")
    return process.returncode, out


def loaded_by_an_entry_point(config):
    """Whether this pytest run loaded pytest_smsc through an entry point (pytest11)."""
    return any(getattr(plugin, "__name__", None) == "pytest_smsc"
               for plugin, dist in config.pluginmanager.list_plugin_distinfo())


def importable_outside_the_checkout(env, directory):
    """Whether pytest_smsc imports in a Python started in directory with env, the checkout not on its path.

    An entry point alone does not say the package is installed: a leftover smsc_api.egg-info in the checkout
    (git-ignored, from an old `setup.py develop` or `pip install -e`) registers one for `python -m pytest` run
    there, where the checkout is on sys.path; a suite run without the checkout then cannot import the plugin."""
    process = subprocess.Popen([sys.executable, "-c", "import pytest_smsc"], cwd=directory, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.communicate()
    return process.returncode == 0


USER_SUITE_PASSED = r"\.\.\s+\[100%\]\n2 passed in [0-9.]+ ?s(econds)?\n\Z"


def test_a_users_suite_loads_the_fixture_with_pytest_plugins(tmpdir):
    """Copied files: smsc_sandbox.py and pytest_smsc.py on the path, the plugin named in conftest.py."""
    env = environment(PYTHONPATH=os.pathsep.join([ROOT] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
                      PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    code, out = run_user_suite(tmpdir, USER_CONFTEST, env)
    assert code == 0, out
    assert re.match(USER_SUITE_PASSED, out) is not None, out


@pytest.mark.parametrize("conftest", [None, USER_CONFTEST], ids=["without-conftest", "with-pytest_plugins"])
def test_the_installed_plugin_needs_no_conftest_and_loads_once(request, tmpdir, conftest):
    """Installed: the entry point loads the fixture; pytest_plugins = ["pytest_smsc"] too is no second copy."""
    env = environment()
    env.pop("PYTHONPATH", None)  # the installed modules, not the checkout's
    if not (loaded_by_an_entry_point(request.config) and importable_outside_the_checkout(env, str(tmpdir))):
        pytest.skip("the package is not installed in this environment (tox installs it)")
    code, out = run_user_suite(tmpdir, conftest, env)
    assert code == 0, out
    assert re.match(USER_SUITE_PASSED, out) is not None, out
