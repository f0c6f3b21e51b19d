"""Mutation testing of the domain modules: mutants, the tests that cover them, a forking runner.

Run it with ``make mutation`` (see docs/mutation.md).
"""
