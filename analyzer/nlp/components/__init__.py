"""spaCy components registered with @Language.factory, each configured from rules/.

Importing this package registers every factory.
"""

from analyzer.nlp.components import attributes, categories, money, parser

__all__ = ["attributes", "categories", "money", "parser"]
