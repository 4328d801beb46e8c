"""Land: partner files arrive in landing/ (drop folders, pulls by SFTP, HTTP API, object storage),
are watched and claimed."""
