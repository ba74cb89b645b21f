# -*- coding: utf-8 -*-
"""Packaging for smsc_api: a single-file, stdlib-only SMSC gateway client.

Kept compatible with the setuptools that pip uses on Python 2.7 (44.x):
no pyproject.toml, no setup.cfg-only metadata, markers inside requirement
strings (supported since setuptools 36.2).

The version is written once, in smsc_api.py. It is read here from the file's
text, not imported (six's setup.py imports six): the import would read the
SMSC_* environment variables and stop pip on a malformed one.
A release is checked by  bash .ci/run -e release  (.ci/release_check.py).
"""
import io
import os
import re

from setuptools import setup

HERE = os.path.abspath(os.path.dirname(__file__))


def read_long_description():
    path = os.path.join(HERE, "README.md")
    if not os.path.exists(path):
        return ""
    with io.open(path, encoding="utf-8") as handle:
        return handle.read()


def read_version():
    with io.open(os.path.join(HERE, "smsc_api.py"), encoding="utf-8") as handle:
        match = re.search(r'^__version__ = "([^"]+)"$', handle.read(), re.MULTILINE)
    if match is None:
        raise RuntimeError('smsc_api.py has no line  __version__ = "..."')
    return match.group(1)


TEST_REQUIRES = [
    'pytest<5; python_version < "3"',
    'pytest<7.1; python_version == "3.6"',
    'pytest<8; python_version == "3.7"',
    'pytest; python_version >= "3.8"',
    "six",
    'mock; python_version < "3"',
    'hypothesis; python_version >= "3"',
    'trustme; python_version >= "3"',
    # Clients the sandbox's isolation is tested with (tests/test_sandbox_isolation.py); aiohttp is tested
    # where it is installed, not installed here (a compiled package for every Python).
    "requests",
    'httpx; python_version >= "3.8"',
    # A socket-level fake 2.0 projects test with (tests/test_side_by_side.py)
    'httpretty<1; python_version < "3"',
    'httpretty; python_version >= "3"',
]

setup(
    name="smsc_api",
    version=read_version(),
    description=(
        "Drop-in replacement for the SMSC (smscentre.com, smsc.ru, smsc.kz, "
        "smsc.ua) smsc_api.py 2.0 module"
    ),
    long_description=read_long_description(),
    long_description_content_type="text/markdown",
    license="MIT",
    keywords="smsc smscentre smsc.ru smsc.kz smsc.ua sms gateway api client drop-in",
    # Only the gateway's own site: the project has no public repository yet.
    project_urls={"SMSC gateway": "https://smscentre.com/"},
    py_modules=["smsc_api", "smsc_sandbox", "pytest_smsc"],
    # smsc_api's types for type checkers once installed (PEP 561: a stub-only package named after the module; a
    # single module can have no py.typed marker), generated from its type comments by .ci/make_stubs.py
    packages=["smsc_api-stubs"],
    package_data={"smsc_api-stubs": ["__init__.pyi"]},
    entry_points={
        "console_scripts": [
            "smsc-api = smsc_api:_main",
            "smsc-sandbox = smsc_sandbox:main",
        ],
        # The smsc_gateway fixture in every pytest run; the entry point's name is the module's, so that
        # pytest_plugins = ["pytest_smsc"] (for copied files) does not register it a second time.
        "pytest11": ["pytest_smsc = pytest_smsc"],
    },
    python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*",
    extras_require={"test": TEST_REQUIRES},
    # One wheel for Python 2 and 3 (py2.py3-none-any): the modules are the same files.
    # (python_tag, not the deprecated "universal" flag: the same tag, no warning.)
    options={"bdist_wheel": {"python_tag": "py2.py3"}},
    classifiers=[
        "Environment :: Console",
        "Intended Audience :: Developers",
        "Operating System :: OS Independent",
        "Topic :: Communications :: Telephony",
        "Topic :: Software Development :: Libraries :: Python Modules",
        "Topic :: Software Development :: Testing",
        "Programming Language :: Python",
        "Programming Language :: Python :: 2",
        "Programming Language :: Python :: 2.7",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.6",
        "Programming Language :: Python :: 3.7",
        "Programming Language :: Python :: 3.8",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Typing :: Typed",
    ],
)
