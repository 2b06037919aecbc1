"""Creator analytics views (shared/API.md, Creator analytics)."""
