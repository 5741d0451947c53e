"""Early warning: surge detection on arrival counts, triggers and alerts.

Owns detectors and trigger rules; does not own data ingestion or CAP delivery.
"""
