"""Query: what the user typed → a clean question → what it asks → the sections that may answer it."""
