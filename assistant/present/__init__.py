"""Present: the terminal (cli), the web chat's conversation logic, sources views and feedback."""
