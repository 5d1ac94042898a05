"""The extraction stage: a spaCy pipeline of rule components that classifies clauses."""
