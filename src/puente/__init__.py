"""Puente."""
