"""Answering: retrieved sections → a cited answer, or a refusal grounded in what is missing."""
