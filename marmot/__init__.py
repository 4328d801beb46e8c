"""Marmot place data platform."""
