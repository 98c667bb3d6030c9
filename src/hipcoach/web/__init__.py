"""The local web app (issue 5). For now: the JSON API under /api/, shared with the CLI."""
