"""Session-scoped fixtures for real local servers (filled in by the serve/runtime work)."""
