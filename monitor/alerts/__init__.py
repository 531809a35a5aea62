"""Alerts: rules say who hears about what; the alerter raises, the dispatcher sends."""
