"""The rule components: plain callables over a clause's text and shared state, configured by
the rules passed to the pipeline. `factories` registers them as spaCy factories (importing
it imports spaCy; `analyzer.nlp.pipeline.build_pipeline` does).
"""

from analyzer.nlp.components import attributes, categories, money

__all__ = ["attributes", "categories", "money"]
