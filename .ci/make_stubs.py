#!/usr/bin/env python3
"""Write smsc_api-stubs/__init__.pyi, the types of the installed package, from smsc_api.py's own type comments.

    python .ci/make_stubs.py            write it
    python .ci/make_stubs.py --check    exit 1 (saying why) when the file differs from what would be written
    (--stub PATH: another file than smsc_api-stubs/__init__.pyi)

Why a stub package: smsc_api stays one file for the users who copy it, and PEP 561 gives a single-module
distribution no py.typed marker, so once it is installed mypy skips it ("missing library stubs or py.typed
marker"). PEP 561's other route is a stub-only package named after the module, smsc_api-stubs, installed beside it
(setup.py ships it); mypy and pyright read it with no setting.

Why generated: the types are written once, as the module's "# type:" comments (a copied file is typed by them,
and they compile on Python 2.7). This script turns them into annotations, for the public API alone: the names of
__all__ (the re-exported imports as `from X import name as name`), __version__, public functions and classes,
and in each class its public methods, its dunder methods and 2.0's hook for subclasses, _smsc_send_cmd. The
overloads a class declares under `if TYPE_CHECKING:` replace the method's own signature (a method defined there
alone, whose run-time twin is under `else:`, is written as it is); the private aliases the
annotations use (_Text, _Phones, ...) come along from the module's TYPE_CHECKING block. A public method without a
type comment is an error. Defaults are written `...`.

tests/test_stubs.py checks that the committed file is what this writes, and the release check
(.ci/release_check.py) runs mypy's stubtest on the installed wheel: the stub and the module agree.
Python 3.8+ (ast's type comments); the output is the same on every Python.
"""
import argparse
import ast
import io
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = os.path.join(ROOT, "smsc_api.py")
STUB = os.path.join(ROOT, "smsc_api-stubs", "__init__.pyi")
HOOKS = {"_smsc_send_cmd"}  # private methods subclasses override (2.0's way to change the transport)
WIDTH = 120                 # a signature longer than this goes a parameter a line
HEADER = ("# The types of smsc_api, generated from smsc_api.py's type comments by .ci/make_stubs.py: do not edit,\n"
          "# run python .ci/make_stubs.py (tests/test_stubs.py checks that it has been).\n")


class StubError(Exception):
    pass


def type_text(comment):
    """The type of a "# type:" comment, without the comment that may follow it."""
    return comment.split("#")[0].strip()


def is_type_checking(node):
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def public(name):
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


class Module(object):
    """What the stub needs of the module's tree: its __all__, imports, type-checking block and definitions."""

    def __init__(self, source):
        self.source, self.tree = source, ast.parse(source, type_comments=True)
        self.all, self.imported, self.aliases, self.typing_names, self.type_modules = None, {}, [], set(), []
        for node in self.tree.body:
            if is_type_checking(node):
                self._type_checking(node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self._imports([node])
            elif isinstance(node, ast.Try):  # try: Python 3's imports, except ImportError: Python 2's
                self._imports(node.body)
            elif isinstance(node, ast.Assign) and self._names(node) == ["__all__"]:
                self.all = ast.literal_eval(node.value)
        if self.all is None:
            raise StubError("smsc_api.py has no literal __all__")

    @staticmethod
    def _names(node):
        return [target.id for target in node.targets if isinstance(target, ast.Name)]

    def _imports(self, nodes):
        for node in nodes:
            for alias in getattr(node, "names", []):
                name = alias.asname or alias.name
                if isinstance(node, ast.ImportFrom):
                    self.imported.setdefault(name, "from %s import %s as %s" % (node.module, alias.name, name))
                else:
                    self.imported.setdefault(name, "import %s as %s" % (alias.name, name))

    def _type_checking(self, block):
        for node in block.body:
            if isinstance(node, ast.ImportFrom) and node.module == "typing":
                self.typing_names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                self.type_modules.extend(alias.name for alias in node.names if not alias.asname)
            elif isinstance(node, ast.Assign):
                self.aliases.append((self._names(node)[0], ast.get_source_segment(self.source, node.value)))

    def stub(self):
        """The lines of the stub."""
        body = []
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                body += self._variable(node)
            elif isinstance(node, ast.FunctionDef) and public(node.name):
                body += ["", ""] + function(node, [])
            elif isinstance(node, ast.ClassDef) and public(node.name):
                body += ["", ""] + self._class(node)
        return self._head(body) + [""] + body

    def _variable(self, node):
        names = self._names(node)
        if names == ["__all__"]:
            return ["__all__ = ["] + ['    "%s",' % name for name in self.all] + ["]", ""]
        name = names[0] if len(names) == 1 else None
        if name is None or not (name in self.all or name == "__version__"):
            return []
        blank = [""] if name == "__version__" else []
        if node.type_comment:
            return ["%s: %s" % (name, type_text(node.type_comment))] + blank
        try:
            return ["%s: %s" % (name, type(ast.literal_eval(node.value)).__name__)] + blank
        except ValueError:
            raise StubError("line %d: %s has no type comment and is not a literal" % (node.lineno, name))

    def _class(self, node):
        lines, overloads = ["class %s:" % node.name], {}
        defined = set(item.name for item in node.body if isinstance(item, ast.FunctionDef))
        for item in node.body:
            if is_type_checking(item):
                for method in item.body:
                    if isinstance(method, ast.FunctionDef):
                        overloads.setdefault(method.name, []).append(method)
        for item in node.body:
            if is_type_checking(item):  # a method defined for type checkers alone (its run-time twin under else:)
                for method in item.body:
                    if isinstance(method, ast.FunctionDef) and method.name not in defined and (
                            public(method.name) or method.name in HOOKS):
                        lines += function(method, [], method=True, indent="    ")
            if isinstance(item, ast.FunctionDef) and (public(item.name) or item.name in HOOKS):
                for method in overloads.get(item.name, [item]):
                    decorators = ["overload"] if item.name in overloads else []
                    lines += function(method, decorators, method=True, indent="    ")
            elif isinstance(item, ast.Assign) and any(public(name) for name in self._names(item)):
                raise StubError("line %d: a public class attribute (not written by this script yet)" % item.lineno)
        return lines

    def _head(self, body):
        text = "\n".join(body)
        used = set(re.findall(r"\b[A-Za-z_][A-Za-z_0-9]*\b", text))
        aliases, wanted = [], set(name for name in used if name.startswith("_"))
        for name, value in reversed(self.aliases):  # the aliases used, and those they use
            if name in wanted:
                aliases.insert(0, (name, value))
                wanted.update(re.findall(r"\b_[A-Za-z_0-9]*\b", value))
        used.update(re.findall(r"\b[A-Za-z_][A-Za-z_0-9]*\b", " ".join(value for _, value in aliases)))
        modules = self.type_modules + sorted(name for name, line in self.imported.items()  # e.g. os.PathLike
                                             if line == "import %s as %s" % (name, name) and name not in self.all)
        typed = text + " " + " ".join(value for _, value in aliases)
        imports = ["import %s" % module for module in modules if re.search(r"\b%s\." % re.escape(module), typed)]
        imports += [self.imported[name] for name in self.all if name in self.imported]
        imports.append("from typing import %s" % ", ".join(sorted(name for name in self.typing_names if name in used)))
        imports.sort(key=lambda line: (line.startswith("from "), line.split()[1]))  # import x, then from x import y
        return HEADER.splitlines() + imports + [""] + ["%s = %s" % alias for alias in aliases]


def function(node, decorators, method=False, indent=""):
    """The stub lines of a def: its decorators and its signature from its type comment."""
    if not node.type_comment:
        raise StubError("line %d: %s has no type comment" % (node.lineno, node.name))
    signature = ast.parse(type_text(node.type_comment), "<type comment of %s>" % node.name, "func_type")
    comment = type_text(node.type_comment)
    types = [ast.get_source_segment(comment, argument) for argument in signature.argtypes]
    arguments = node.args
    positional = arguments.args[1:] if method else arguments.args
    if len(types) != len(positional) + (1 if arguments.vararg else 0):
        raise StubError("line %d: the type comment of %s does not give each parameter a type" % (
            node.lineno, node.name))
    first_default = len(positional) - len(arguments.defaults)
    parameters = ["self"] if method else []
    for n, (argument, annotation) in enumerate(zip(positional, types)):
        parameters.append("%s: %s%s" % (argument.arg, annotation, " = ..." if n >= first_default else ""))
    if arguments.vararg:
        parameters.append("*%s: %s" % (arguments.vararg.arg, types[-1].lstrip("*")))
    returns = ast.get_source_segment(comment, signature.returns)
    line = "%sdef %s(%s) -> %s: ..." % (indent, node.name, ", ".join(parameters), returns)
    if len(line) > WIDTH:
        line = "%sdef %s(\n%s\n%s) -> %s: ..." % (indent, node.name, "\n".join(
            "%s    %s," % (indent, parameter) for parameter in parameters), indent, returns)
    return ["%s@%s" % (indent, decorator) for decorator in decorators] + line.split("\n")


def stub_text():
    with io.open(MODULE, encoding="utf-8") as handle:
        source = handle.read()
    return re.sub("\n{3,}(?=\n\n)", "", "\n".join(Module(source).stub()) + "\n")  # at most two blank lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the stub is up to date")
    parser.add_argument("--stub", default=STUB, help="the file (default: %(default)s)")
    args = parser.parse_args(argv)
    text = stub_text()
    if args.check:
        with io.open(args.stub, encoding="utf-8", newline="") as handle:
            if handle.read() != text:
                print("%s is not what smsc_api.py's type comments give: run python .ci/make_stubs.py" % args.stub)
                return 1
        return 0
    if not os.path.isdir(os.path.dirname(args.stub)):
        os.makedirs(os.path.dirname(args.stub))
    with io.open(args.stub, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    print("wrote %s" % args.stub)
    return 0


if __name__ == "__main__":
    sys.exit(main())
