"""spaCy components registered with @Language.factory, each configured from rules/."""
