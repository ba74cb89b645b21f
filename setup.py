# -*- coding: utf-8 -*-
"""Packaging for smsc_api: a single-file, stdlib-only SMSC gateway client.

Kept compatible with the setuptools that pip uses on Python 2.7 (44.x):
no pyproject.toml, no setup.cfg-only metadata, markers inside requirement
strings (supported since setuptools 36.2).
"""
import io
import os

from setuptools import setup

HERE = os.path.abspath(os.path.dirname(__file__))


def read_long_description():
    path = os.path.join(HERE, "README.md")
    if not os.path.exists(path):
        return ""
    with io.open(path, encoding="utf-8") as handle:
        return handle.read()


TEST_REQUIRES = [
    'pytest<5; python_version < "3"',
    'pytest<7.1; python_version == "3.6"',
    'pytest<8; python_version == "3.7"',
    'pytest; python_version >= "3.8"',
    "six",
    'hypothesis; python_version >= "3"',
    'trustme; python_version >= "3"',
]

setup(
    name="smsc_api",
    version="2.1.0",
    description=(
        "Drop-in replacement for the SMSC (smscentre.com, smsc.ru, smsc.kz, "
        "smsc.ua) smsc_api.py 2.0 module"
    ),
    long_description=read_long_description(),
    long_description_content_type="text/markdown",
    license="MIT",
    py_modules=["smsc_api", "smsc_sandbox", "pytest_smsc"],
    # The smsc_gateway fixture in every pytest run; the entry point's name is the module's, so that
    # pytest_plugins = ["pytest_smsc"] (for copied files) does not register it a second time.
    entry_points={"pytest11": ["pytest_smsc = pytest_smsc"]},
    python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*",
    extras_require={"test": TEST_REQUIRES},
    classifiers=[
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
    ],
)
