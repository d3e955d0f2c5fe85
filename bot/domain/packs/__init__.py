"""Servers' own questions: suggestions, reviews, uploaded packs, topic switches."""
