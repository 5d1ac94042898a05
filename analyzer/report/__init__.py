"""Rendering: every result as JSON, self-contained HTML or Markdown."""
