"""Tests of the mutation-testing runner."""
