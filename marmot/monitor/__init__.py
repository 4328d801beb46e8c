"""Monitor: which partner periods are late or missing, and who is told."""
